// One training step, ours against torchvision (issue #4, "Speed and memory"): the `torchvision` preset
// (ResNet-50-FPN, frozen batch-norm, 3 trainable backbone layers, 11 classes) on one 512×512 image with a
// few instances, Adam, batch 1, on the wasm backend with 1 and with 2 XNNPACK threads, each in its own
// process; then bench/tv_train_step.py (Debian torchvision, 2 threads, same configuration).
// Run from the repo root: npx tsx bench/train-step.ts [--preset torchvision] [--size 512] [--steps 4] [--threads 1,2] [--no-torchvision]
// One configuration in this process (used by the driver): npx tsx bench/train-step.ts --child --threads N
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { makeConfig, MaskRCNN, registerAllGradients, selectBackend, shutdownWasmBackend, syntheticSample, train, wasmHeapStats, type PresetName } from '@segmenta/maskrcnn';

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'torchvision' }, size: { type: 'string', default: '512' }, steps: { type: 'string', default: '4' },
    threads: { type: 'string', default: '1,2' }, instances: { type: 'string', default: '4' }, child: { type: 'boolean', default: false },
    'no-torchvision': { type: 'boolean', default: false },
  },
});
const size = Number(values.size);
const steps = Number(values.steps);
const instances = Number(values.instances);
const classCount = 10;

interface Row { who: string; threads: number; stepSeconds: number[]; medianSeconds: number; loss0: number; lossLast: number; wasmTensorPeakMB?: number; wasmHeapMB?: number }
/** The median as Python's statistics.median (mean of the middle two for an even count), as tv_train_step.py reports. */
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function child(threads: number): Promise<Row> {
  const backend = await selectBackend('wasm', { threads });
  await registerAllGradients();
  const cfg = makeConfig(values.preset as PresetName, { numClasses: classCount + 1, transform: { minSize: size, maxSize: size } });
  const sample = await syntheticSample(0, { width: size, height: size, classCount, seed: 41, minInstances: instances, maxInstances: instances });
  const model = MaskRCNN.init(cfg, 1);
  const marks: number[] = [];
  const losses: number[] = [];
  let last = performance.now();
  // The same image every step: the first step pays for kernel set-up and is reported but not in the median.
  await train({
    model, train: Array.from({ length: steps }, () => sample), epochs: 1, batchSize: 1, seed: 1,
    optimizer: { type: 'adam' }, schedule: { type: 'constant', baseLr: 1e-4 },
    onStep: (info) => {
      const now = performance.now();
      marks.push((now - last) / 1000);
      losses.push(info.loss);
      last = now;
    },
  });
  model.dispose();
  // how close the step comes to wasm's 4 GB: tensor high-water (heap guard) and the heap's size
  const heap = wasmHeapStats();
  await shutdownWasmBackend();
  return {
    who: `ours (tfjs ${backend.name})`, threads: backend.threads ?? 1, stepSeconds: marks, medianSeconds: median(marks.slice(1)), loss0: losses[0]!, lossLast: losses.at(-1)!,
    ...(heap ? { wasmTensorPeakMB: Math.round(heap.peakBytes / 2 ** 20), wasmHeapMB: Math.round(heap.heapBytes / 2 ** 20) } : {}),
  };
}

if (values.child) {
  const row = await child(Number(values.threads));
  console.log(JSON.stringify(row));
  process.exit(0);
}

const machine = { cpu: `${os.cpus()[0]?.model} ×${os.cpus().length}`, loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100), node: process.version };
console.log(JSON.stringify({ machine, preset: values.preset, size, steps, instances, classes: classCount + 1 }));
const rows: Row[] = [];
for (const t of values.threads.split(',').map(Number)) {
  const out = execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', '--threads', String(t), '--preset', values.preset, '--size', String(size), '--steps', String(steps), '--instances', String(instances)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const row = JSON.parse(out.trim().split('\n').at(-1)!) as Row;
  rows.push(row);
  console.log(JSON.stringify(row));
}
if (!values['no-torchvision'] && values.preset === 'torchvision') {
  const out = execFileSync('/usr/bin/python3', [path.join(import.meta.dirname, 'tv_train_step.py'), '--size', String(size), '--steps', String(steps), '--instances', String(instances), '--threads', '2'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const row = JSON.parse(out.trim().split('\n').at(-1)!) as Row;
  rows.push(row);
  console.log(JSON.stringify(row));
}
const tv = rows.find((r) => r.who.startsWith('torchvision'));
console.log('\n| implementation | threads | first step (s) | median later step (s) | ratio to torchvision |\n|---|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.who} | ${r.threads} | ${r.stepSeconds[0]!.toFixed(2)} | ${r.medianSeconds.toFixed(2)} | ${tv ? (r.medianSeconds / tv.medianSeconds).toFixed(2) : '–'} |`);
