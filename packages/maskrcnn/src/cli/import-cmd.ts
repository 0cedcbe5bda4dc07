// segmenta-model import: torchvision .pth/.safetensors → Segmenta model directory.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { importTorchvision } from '../checkpoint/import-torchvision';
import { MANIFEST_FILE } from '../checkpoint/manifest';
import { saveCheckpoint } from '../checkpoint/node';
import { PRESETS, type PresetName } from '../config/presets';
import { selectBackend } from '../select-backend';
import { readStateDict } from '../weights/file';
import { backend, classList, number, parse, required } from './args';
import { UsageError, type CliIO } from './errors';

export const IMPORT_HELP = `Usage: segmenta-model import --torchvision FILE.pth --out DIR [options]

Converts a torchvision Mask R-CNN state dict (.pth zip or legacy, or .safetensors; may be gzipped)
into a Segmenta model directory (model.json + weights.safetensors).

Options:
  --torchvision FILE   torchvision state dict to import (required)
  --out DIR            model directory to write (required)
  --num-classes N      classes including background; re-initialises the box predictor and the mask
                       predictor's last layer for N outputs, as fine-tuning does
  --classes a,b,c      foreground class names (N - 1 of them)
  --preset NAME        architecture: auto (default: the first that fits), ${Object.keys(PRESETS).join(', ')}
  --seed S             seed for re-initialised layers (default 0)
  --backend B          auto (default), tensorflow, wasm, cpu
  --force              overwrite an existing model directory
  -h, --help           this help
`;

export async function importCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, {
    torchvision: { type: 'string' },
    out: { type: 'string' },
    'num-classes': { type: 'string' },
    classes: { type: 'string' },
    preset: { type: 'string' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    force: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(IMPORT_HELP);
    return 0;
  }
  const file = required(values.torchvision, '--torchvision');
  const out = required(values.out, '--out');
  const numClasses = number(values['num-classes'], '--num-classes', (n) => Number.isInteger(n) && n >= 2, 'an integer ≥ 2 (classes + background)');
  const seed = number(values.seed, '--seed', Number.isInteger, 'an integer') ?? 0;
  const classes = classList(values.classes);
  const preset = values.preset ?? 'auto';
  if (preset !== 'auto' && !(preset in PRESETS)) throw new UsageError(`--preset must be auto or one of ${Object.keys(PRESETS).join(', ')}, got "${preset}"`);
  const pref = backend(values.backend);
  if (!values.force && (await access(join(out, MANIFEST_FILE)).then(() => true, () => false))) {
    throw new Error(`${out} already holds a model (${MANIFEST_FILE}); pass --force to overwrite it`);
  }

  const sd = await readStateDict(file, { toFloat32: true }).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`cannot import ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, { cause: err });
  });
  const choice = await selectBackend(pref);
  io.stderr(`backend: ${choice.name} (${choice.reason})\n`);
  const result = importTorchvision(sd, { preset: preset as PresetName | 'auto', numClasses, classes, seed });
  try {
    await saveCheckpoint(out, result.model, {
      classes: result.classes,
      source: { kind: 'torchvision', file, reinitialized: result.reinitialized },
    });
  } finally {
    result.model.dispose();
  }
  io.stderr(
    `imported ${file} as preset "${result.preset}" with ${result.classes.length} classes + background into ${out}` +
      (result.reinitialized.length ? `; re-initialised ${result.reinitialized.join(', ')}` : '') +
      '\n',
  );
  return 0;
}
