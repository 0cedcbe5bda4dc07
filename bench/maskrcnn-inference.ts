// Mask R-CNN inference with the `torchvision` preset (ResNet-50-FPN, 91 classes) against torchvision on
// the same random weights and images, per stage, at 512×512 and 800×1066 (H×W).
//
//   /usr/bin/python3 bench/tv_inference.py            # weights, images, torchvision timings (2 threads)
//   npx tsx bench/maskrcnn-inference.ts [--dir /tmp/segmenta-bench] [--reps 1] [--size 512x512] [--backend wasm|cpu|auto] [--threads N]
//
// Each stage's arithmetic (bench/flops.ts) over its time gives the throughput reached, to set against
// the kernel probe printed at the end (one large 3×3 convolution and the fc6-sized matmul, same backend).
//
// Stages: transform and backbone+FPN are timed by running them alone; "rpn + roi heads + post" is the
// full detect minus those two. "+ binarise + RLE" is what predictDetections adds to detect (COCO output).
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { importTorchvision } from '../packages/maskrcnn/src/checkpoint/import-torchvision.js';
import type { FoldedParams } from '../packages/maskrcnn/src/model/fold.js';
import type { MaskRCNN } from '../packages/maskrcnn/src/model/maskrcnn.js';
import { extractFeatures } from '../packages/maskrcnn/src/model/network.js';
import { transformImages } from '../packages/maskrcnn/src/ops/transform.js';
import { decodeImage } from '../packages/maskrcnn/src/predict/image.js';
import { predictDetections } from '../packages/maskrcnn/src/predict/predict.js';
import { selectBackend, type BackendPreference } from '../packages/maskrcnn/src/select-backend.js';
import { shutdownWasmBackend } from '../packages/maskrcnn/src/backend/wasm-threads.js';
import { wasmHeapStats } from '../packages/maskrcnn/src/backend/heap-guard.js';
import { readStateDict } from '../packages/maskrcnn/src/weights/file.js';
import { inferenceFlops, networkInput } from './flops.js';

interface TvSize {
  image: string;
  detections: number;
  median_s: Record<string, number>;
}

const { values } = parseArgs({ options: { dir: { type: 'string' }, reps: { type: 'string' }, backend: { type: 'string' }, size: { type: 'string' }, threads: { type: 'string' } } });
const dir = values.dir ?? '/tmp/segmenta-bench';
const reps = Number(values.reps ?? 1);
const tv = JSON.parse(readFileSync(join(dir, 'tv_timings.json'), 'utf8')) as { torch: string; threads: number; sizes: Record<string, TvSize> };

const choice = await selectBackend((values.backend ?? 'wasm') as BackendPreference, { threads: Number(values.threads ?? 1) });
const { model, classes } = importTorchvision(await readStateDict(join(dir, 'tv_random.pth')), { preset: 'torchvision' });
// detect() folds the frozen batch norms on first use; the stage timings reuse that copy, because a
// second one would add its weights to the wasm heap (≈1.4 GB at 512×512) for nothing.
const folded = (): FoldedParams => (model as unknown as { folded: FoldedParams }).folded;

/** The wasm heap's size (it only grows), to see how close a run comes to WebAssembly's 4 GB ceiling. */
const heapNote = (): string => {
  const s = wasmHeapStats();
  return s ? `; wasm heap ${(s.heapBytes / 2 ** 20).toFixed(0)} MB` : '';
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

const rows: string[] = [];
const flopNotes: string[] = [];
for (const [size, ref] of Object.entries(tv.sizes).filter(([k]) => !values.size || k === values.size)) {
  const image = await decodeImage(new Uint8Array(readFileSync(join(dir, ref.image))));
  const input = tf.tensor3d(image.data, [image.height, image.width, 3]);
  const runs: Record<string, number>[] = [];
  let detections = 0;
  for (let r = 0; r <= reps; r++) {
    const t: Record<string, number> = {};
    let out: Awaited<ReturnType<typeof model.detect>> | undefined;
    t['total'] = await time(async () => {
      out = await model.detect([input]);
    });
    detections = out!.results[0]!.scores.length;
    t['transform'] = await time(async () => {
      const b = transformImages([input], model.cfg.transform);
      await b.images.data();
      b.images.dispose();
    });
    const batch = transformImages([input], model.cfg.transform);
    t['backbone+fpn'] = await time(async () => {
      // tidy: extractFeatures leaves the backbone's intermediates to its caller (≈400 MB a run here)
      const feats = tf.tidy(() => extractFeatures(model.body, folded(), batch.images));
      await Promise.all(feats.map((f) => f.data()));
      tf.dispose(feats);
    });
    batch.images.dispose();
    t['rpn + roi heads + post'] = t['total']! - t['transform']! - t['backbone+fpn']!;
    // The output step alone: predictDetections over a stand-in whose detect returns the result above.
    const replay = { cfg: model.cfg, detect: async () => out! } as unknown as MaskRCNN;
    t['+ binarise + RLE'] = await time(() => predictDetections({ model: replay, classes }, image));
    if (r > 0 || reps === 0) runs.push(t); // run 0 warms up kernels and folds weights (reported when --reps 0)
    console.error(`${size} run ${r}${r === 0 ? ' (warm-up)' : ''}: ${Object.entries(t).map(([k, v]) => `${k} ${(v * 1000).toFixed(0)} ms`).join(', ')}${heapNote()}`);
  }
  input.dispose();
  const ours = (k: string): number => median(runs.map((x) => x[k]!));
  const theirs: Record<string, number | undefined> = {
    transform: ref.median_s['transform'],
    'backbone+fpn': ref.median_s['backbone+fpn'],
    'rpn + roi heads + post': (ref.median_s['rpn'] ?? 0) + (ref.median_s['roi_heads'] ?? 0) + (ref.median_s['postprocess'] ?? 0),
    total: ref.median_s['total'],
  };
  const [h, w] = size.split('x').map(Number) as [number, number];
  const f = inferenceFlops(model.cfg, h, w, model.cfg.rpn.postNmsTopNTest, detections);
  const gflop: Record<string, number> = { 'backbone+fpn': (f.backbone + f.fpn) / 1e9, 'rpn + roi heads + post': (f.rpnHead + f.boxHead + f.maskHead) / 1e9 };
  gflop['total'] = gflop['backbone+fpn']! + gflop['rpn + roi heads + post']!;
  for (const k of ['transform', 'backbone+fpn', 'rpn + roi heads + post', 'total', '+ binarise + RLE']) {
    const o = ours(k);
    const t = theirs[k];
    const g = gflop[k];
    const rate = (s: number | undefined) => (g && s ? (g / s).toFixed(1) : '–');
    rows.push(`| ${size} | ${k} | ${(o * 1000).toFixed(0)} | ${t === undefined ? '–' : (t * 1000).toFixed(0)} | ${t ? (o / t).toFixed(2) : '–'} | ${g ? g.toFixed(0) : '–'} | ${rate(o)} | ${rate(t)} |`);
  }
  const [nh, nw] = networkInput(model.cfg, h, w);
  flopNotes.push(`${size} (network input ${nh}×${nw}): backbone ${(f.backbone / 1e9).toFixed(1)}, FPN ${(f.fpn / 1e9).toFixed(1)}, RPN head ${(f.rpnHead / 1e9).toFixed(1)}, box head (${model.cfg.rpn.postNmsTopNTest} RoIs) ${(f.boxHead / 1e9).toFixed(1)}, mask head (${detections} detections) ${(f.maskHead / 1e9).toFixed(1)} GFLOP`);
  rows.push(`| ${size} | detections (ours / torchvision) | ${detections} | ${ref.detections} | |`);
}
model.dispose();

/** Sustained throughput of the two kernels that carry the model: a 3×3 conv and the fc6 matmul. */
async function probe(label: string, flop: number, make: () => tf.Tensor): Promise<string> {
  const times: number[] = [];
  for (let i = 0; i < 4; i++) {
    const t = performance.now();
    const y = make();
    await y.data();
    y.dispose();
    times.push((performance.now() - t) / 1000);
  }
  return `${label}: ${(flop / 1e9 / median(times.slice(1))).toFixed(1)} GFLOP/s`;
}
const x = tf.randomNormal([1, 100, 100, 256]) as tf.Tensor4D;
const k = tf.randomNormal([3, 3, 256, 256]) as tf.Tensor4D;
const a = tf.randomNormal([1000, 12544]) as tf.Tensor2D;
const b = tf.randomNormal([12544, 1024]) as tf.Tensor2D;
const probes = [
  await probe('conv 3×3 256→256 on 100×100', 2 * 100 * 100 * 256 * 256 * 9, () => tf.conv2d(x, k, 1, 'same')),
  await probe('matmul 1000×12544 · 12544×1024 (fc6)', 2 * 1000 * 12544 * 1024, () => tf.matMul(a, b)),
];
tf.dispose([x, k, a, b]);

console.log(`Mask R-CNN inference, preset torchvision, random weights (tv_random.pth), ${reps === 0 ? 'one cold run' : `median of ${reps} run(s) after a warm-up`}`);
console.log(`ours: tfjs ${tf.version_core} backend ${choice.name} (${choice.reason}); torchvision: torch ${tv.torch}, ${tv.threads} threads; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}\n`);
console.log('| size (H×W) | stage | ours (ms) | torchvision (ms) | ratio | GFLOP | ours GFLOP/s | torchvision GFLOP/s |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
console.log(rows.join('\n'));
console.log(`\nArithmetic per stage (bench/flops.ts, 2 FLOP per multiply-add):\n${flopNotes.map((n) => `- ${n}`).join('\n')}`);
console.log(`\nKernel probe on this backend: ${probes.join('; ')}`);
await shutdownWasmBackend();
