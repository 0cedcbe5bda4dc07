// `segmenta-model synth → train → eval` as a researcher runs it, on the tiny preset.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/segmenta-model.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'segmenta-cli-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? -1) : 0, stdout, stderr }));
  });
}

describe('segmenta-model synth / train / eval', () => {
  it('generates a COCO dataset, trains two epochs printing one JSON line each, and evaluates the best checkpoint', async () => {
    const data = join(dir, 'data');
    const synth = await cli('synth', '--out', data, '--train', '6', '--val', '2', '--test', '2', '--classes', '3', '--size', '96x96', '--seed', '4');
    expect(synth.code).toBe(0);
    const coco = JSON.parse(readFileSync(join(data, 'train.json'), 'utf8'));
    expect(coco.images).toHaveLength(6);
    expect(coco.categories.map((c: { name: string }) => c.name)).toEqual(['circle', 'square', 'triangle']);

    const out = join(dir, 'run');
    const run = await cli('train', '--coco', join(data, 'train.json'), '--val-coco', join(data, 'val.json'), '--test-coco', join(data, 'test.json'), '--images', join(data, 'images'), '--preset', 'tiny', '--epochs', '2', '--batch-size', '2', '--out', out, '--backend', 'wasm', '--augment', 'origin', '--threads', '2');
    // Two XNNPACK threads; the process must still exit once training ends (pthreads are shut down).
    expect(run.stderr).toContain('backend: wasm (requested (2 threads))');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.epoch)).toEqual([1, 2]);
    for (const l of lines) {
      for (const split of ['train', 'val', 'test']) {
        expect(Object.keys(l[split]).sort()).toEqual(['loss', 'loss_box_reg', 'loss_classifier', 'loss_mask', 'loss_objectness', 'loss_rpn_box_reg']);
        expect(Number.isFinite(l[split].loss)).toBe(true);
      }
    }
    expect(existsSync(join(out, 'best', 'model.json'))).toBe(true);
    expect(existsSync(join(out, 'epoch-002', 'weights.safetensors'))).toBe(true);

    const ev = await cli('eval', '--model', join(out, 'best'), '--coco', join(data, 'test.json'), '--images', join(data, 'images'), '--backend', 'wasm');
    expect(ev.code).toBe(0);
    const summary = JSON.parse(ev.stdout.trim().split('\n').pop()!);
    for (const t of ['bbox', 'segm']) {
      expect(summary[t].AP).toBeGreaterThanOrEqual(0);
      expect(summary[t].AP).toBeLessThanOrEqual(1);
    }
  });

  it('refuses a missing --coco with a usage error (exit 2)', async () => {
    const missing = await cli('train', '--images', dir, '--out', dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--coco is required');
  });

  it('refuses an augmentation file that is not a valid pipeline (exit 2, naming the field)', async () => {
    const file = join(dir, 'augment.json');
    writeFileSync(file, JSON.stringify([{ type: 'horizontalFlip', p: 0.5 }, { type: 'oneOf', p: 0.5, choices: [] }]));
    const bad = await cli('train', '--coco', file, '--images', dir, '--out', dir, '--augment', file);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('[1.choices] needs at least one choice');
  });
});
