// segmenta-model train: COCO data in, per-epoch JSON lines and checkpoints out.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { augmentationSchema, defaultAugmentations, type Augmentation } from '@segmenta/contracts';
import { registerAllGradients, registerWasmTrainingKernels } from '../backend/index';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint/node';
import { importTorchvision } from '../checkpoint/import-torchvision';
import { makeConfig, PRESETS, type PresetName } from '../config/presets';
import { MaskRCNN } from '../model/maskrcnn';
import { selectBackend } from '../select-backend';
import type { AugmentConfig } from '../trainer/augment';
import { createAugmentPool } from '../trainer/augment-pool';
import { loadCocoDataset, sharpJpeg } from '../trainer/data';
import { train, type LossSummary } from '../trainer/loop';
import { readStateDict } from '../weights/index';
import { backend, number, parse, required, threads } from './args';
import { UsageError, type CliIO } from './errors';

export const TRAIN_HELP = `Usage: segmenta-model train --coco TRAIN.json --images DIR --out DIR [options]

Trains Mask R-CNN and prints one JSON line per epoch: epoch, and for train/val/test the mean loss
and each of the five components. Writes DIR/epoch-NNN checkpoints and DIR/best (lowest val loss).

Options:
  --coco FILE           training COCO instances file (required)
  --images DIR          folder holding the images named in the COCO files (required)
  --val-coco FILE       validation COCO file
  --test-coco FILE      test COCO file
  --preset P            tiny, cpu-small (default), torchvision
  --init DIR            start from a Segmenta model directory (same classes)
  --torchvision FILE    start from a torchvision .pth, with new predictors for these classes
  --epochs N            (default 10)
  --batch-size B        (default 2)
  --lr L                learning rate (default 1e-3 for adam, 5e-3 for sgd)
  --optimizer O         adam (default) or sgd
  --weight-decay W      (default 0 for adam, 5e-4 for sgd)
  --seed S              (default 42)
  --augment A           hflip (default: horizontal flip p 0.5), origin (the origin project's albumentations
                        pipeline: flips, brightness/contrast, JPEG|gamma, blur|equalize), none, or a JSON
                        file holding a list of steps as the training config's "augmentations"
  --out DIR             output directory (required)
  --backend B           auto (default), tensorflow, wasm, cpu
  --threads N           wasm backend threads, at most 8 (default: one per core)
  -h, --help            this help
`;

const lossJson = (s: LossSummary | undefined) => (s ? { loss: s.loss, ...s.components } : undefined);

async function augmentOption(v: string | undefined): Promise<AugmentConfig> {
  if (v === undefined || v === 'hflip') return { horizontalFlip: 0.5 };
  if (v === 'none') return {};
  let steps: Augmentation[];
  if (v === 'origin') steps = defaultAugmentations;
  else {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(v, 'utf8'));
    } catch (err) {
      throw new UsageError(`--augment must be hflip, origin, none or a readable JSON file: ${(err as Error).message}`);
    }
    const parsed = augmentationSchema.array().safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new UsageError(`--augment ${v}: [${issue.path.join('.')}] ${issue.message}`);
    }
    steps = parsed.data;
  }
  return { steps, jpeg: sharpJpeg };
}

export async function trainCommand(argv: string[], io: CliIO): Promise<number> {
  const { values: v } = parse(argv, {
    coco: { type: 'string' }, images: { type: 'string' }, 'val-coco': { type: 'string' }, 'test-coco': { type: 'string' },
    preset: { type: 'string' }, init: { type: 'string' }, torchvision: { type: 'string' }, epochs: { type: 'string' },
    'batch-size': { type: 'string' }, lr: { type: 'string' }, optimizer: { type: 'string' }, 'weight-decay': { type: 'string' },
    seed: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' }, augment: { type: 'string' }, threads: { type: 'string' },
  });
  if (v.help) {
    io.stdout(TRAIN_HELP);
    return 0;
  }
  const cocoPath = required(v.coco, '--coco');
  const imagesDir = required(v.images, '--images');
  const out = required(v.out, '--out');
  const preset = (v.preset ?? 'cpu-small') as PresetName;
  if (!(preset in PRESETS)) throw new UsageError(`--preset must be one of ${Object.keys(PRESETS).join(', ')}, got "${v.preset}"`);
  if (v.init && v.torchvision) throw new UsageError('give --init or --torchvision, not both');
  const optimizer = v.optimizer ?? 'adam';
  if (optimizer !== 'adam' && optimizer !== 'sgd') throw new UsageError(`--optimizer must be adam or sgd, got "${optimizer}"`);
  const int = (x: string | undefined, flag: string, dflt: number) => number(x, flag, (n) => Number.isInteger(n) && n >= 1, 'a positive integer') ?? dflt;
  const epochs = int(v.epochs, '--epochs', 10);
  const batchSize = int(v['batch-size'], '--batch-size', 2);
  const seed = number(v.seed, '--seed', (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer') ?? 42;
  const lr = number(v.lr, '--lr', (n) => n > 0 && n <= 10, 'a number in (0, 10]') ?? (optimizer === 'adam' ? 1e-3 : 5e-3);
  const weightDecay = number(v['weight-decay'], '--weight-decay', (n) => n >= 0 && n < 1, 'a number in [0, 1)') ?? (optimizer === 'adam' ? 0 : 5e-4);

  const augment = await augmentOption(v.augment);
  const threadCount = threads(v.threads);

  const choice = await selectBackend(backend(v.backend), { threads: threadCount });
  await registerAllGradients();
  registerWasmTrainingKernels();
  io.stderr(`backend: ${choice.name} (${choice.reason})\n`);

  const trainSet = await loadCocoDataset(cocoPath, imagesDir);
  const classes = trainSet.classNames;
  const load = async (p: string | undefined) => (p ? (await loadCocoDataset(p, imagesDir, classes)).samples : []);
  const [val, test] = [await load(v['val-coco']), await load(v['test-coco'])];
  for (const w of trainSet.warnings.slice(0, 20)) io.stderr(`warning: ${w}\n`);
  if (trainSet.samples.length === 0) throw new Error(`${cocoPath} has no images`);
  if (batchSize > trainSet.samples.length) throw new UsageError(`--batch-size ${batchSize} is larger than the training set (${trainSet.samples.length} images)`);

  let model: MaskRCNN;
  if (v.init) {
    const loaded = await loadCheckpoint(v.init);
    if (loaded.classes.length !== classes.length) throw new Error(`--init ${v.init} predicts ${loaded.classes.length} classes; the data has ${classes.length}`);
    model = loaded.model;
  } else if (v.torchvision) {
    model = importTorchvision(await readStateDict(v.torchvision), { preset, numClasses: classes.length + 1, classes, seed }).model;
  } else {
    model = MaskRCNN.init(makeConfig(preset, { numClasses: classes.length + 1 }), seed);
  }
  await mkdir(out, { recursive: true });
  let bestVal = Infinity;
  // Augmentation on a thread of its own overlaps the synchronous training step.
  const pool = augment.steps ? createAugmentPool() : undefined;
  try {
    await train({
      model,
      train: trainSet.samples,
      val,
      test,
      epochs,
      batchSize,
      optimizer: optimizer === 'adam' ? { type: 'adam', weightDecay } : { type: 'sgd', weightDecay, momentum: 0.9 },
      schedule: { type: 'constant', baseLr: lr },
      seed,
      augment: pool ? { ...augment, runner: pool.run } : augment,
      onEpoch: async (r) => {
        io.stdout(`${JSON.stringify({ epoch: r.epoch + 1, train: lossJson(r.train), val: lossJson(r.val), test: lossJson(r.test), seconds: Math.round(r.seconds * 10) / 10 })}\n`);
        await saveCheckpoint(path.join(out, `epoch-${String(r.epoch + 1).padStart(3, '0')}`), model, { classes, training: { epoch: r.epoch + 1, ...lossJson(r.train) } });
        const score = r.val?.loss ?? r.train.loss;
        if (score < bestVal) {
          bestVal = score;
          await saveCheckpoint(path.join(out, 'best'), model, { classes, training: { epoch: r.epoch + 1, selectedBy: r.val ? 'val loss' : 'train loss', loss: score } });
        }
      },
    });
  } finally {
    model.dispose();
    await pool?.close();
  }
  return 0;
}
