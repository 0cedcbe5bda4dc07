import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../src/predict/image';
import { rgbImageFromRgba, selectBrowserBackend } from '../src/browser';

// `@segmenta/maskrcnn/browser` must stay importable by a client bundle: no module it reaches may
// import Node built-ins, sharp or worker threads. Type-only imports are erased and do not count.

const SRC = path.resolve(import.meta.dirname, '../src');
const NODE_ONLY = /^(node:|sharp$|fs$|path$|os$|worker_threads$|child_process$|@tensorflow\/tfjs-node)/;

/** Every module `entry` reaches through value imports (static and dynamic), with its bare imports. */
function importGraph(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const src = readFileSync(file, 'utf8');
    const bare: string[] = [];
    seen.set(file, bare);
    const specs = [
      ...[...src.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm)].map((m) => m[1]!),
      ...[...src.matchAll(/import\(\s*(?:\/\*[^*]*\*\/\s*)?['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!),
    ];
    for (const spec of specs) {
      if (!spec.startsWith('.')) {
        bare.push(spec);
        continue;
      }
      const base = path.resolve(path.dirname(file), spec);
      visit([`${base}.ts`, path.join(base, 'index.ts'), base].find((p) => {
        try {
          return readFileSync(p) && true;
        } catch {
          return false;
        }
      })!);
    }
  };
  visit(entry);
  return seen;
}

describe('@segmenta/maskrcnn/browser', () => {
  it('reaches no Node-only module', () => {
    const graph = importGraph(path.join(SRC, 'browser.ts'));
    const offenders = [...graph].flatMap(([file, bare]) => bare.filter((b) => NODE_ONLY.test(b)).map((b) => `${path.relative(SRC, file)} imports ${b}`));
    expect(offenders).toEqual([]);
    // The walk does see the model and the checkpoint codec (so it is not vacuous).
    expect([...graph.keys()].map((f) => path.relative(SRC, f))).toEqual(expect.arrayContaining(['model/maskrcnn.ts', 'checkpoint/codec.ts', 'predict/predict.ts']));
    // …and it does catch a Node-only import where one exists.
    expect([...importGraph(path.join(SRC, 'index.ts')).values()].flat()).toContain('sharp');
  });

  it('turns canvas RGBA into exactly the RGB input decodeImage gives for the same pixels', async () => {
    const [w, h] = [40, 30];
    const rgba = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256, i % 2 ? 255 : 10], i * 4);
    const img = rgbImageFromRgba(rgba, w, h);
    const sharp = (await import('sharp')).default;
    const rgb = Buffer.alloc(w * h * 3);
    for (let i = 0; i < w * h; i++) rgb.set(rgba.subarray(i * 4, i * 4 + 3), i * 3);
    const decoded = await decodeImage(new Uint8Array(await sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer()));
    expect(img.width).toBe(decoded.width);
    expect(img.height).toBe(decoded.height);
    expect(Array.from(img.data)).toEqual(Array.from(decoded.data));
    expect(() => rgbImageFromRgba(rgba.subarray(4), w, h)).toThrow(/RGBA data holds 4796 values, 40×30×4 expected/);
  });

  it('names every backend it tried when the one asked for cannot start', async () => {
    // Node has no WebGL: the error says which backend failed and why.
    await expect(selectBrowserBackend('webgl', { wasmPath: '/tfjs-wasm/' })).rejects.toThrow(/no TensorFlow\.js backend starts in this browser \(webgl: /);
    const cpu = await selectBrowserBackend('cpu', { wasmPath: '/tfjs-wasm/' });
    expect(cpu).toEqual({ name: 'cpu', reason: 'requested' });
    expect(tf.getBackend()).toBe('cpu');
  });
});
