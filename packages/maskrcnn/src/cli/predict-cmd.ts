// segmenta-model predict: one image through a Segmenta model directory → COCO results JSON (+ overlay).
import { readFile, writeFile } from 'node:fs/promises';
import { loadCheckpoint } from '../checkpoint/node';
import { decodeImage } from '../predict/image';
import { renderOverlay } from '../predict/overlay';
import { DEFAULT_SCORE_THRESHOLD, predictDetections, toCocoResults } from '../predict/predict';
import { selectBackend } from '../select-backend';
import { backend, number, parse, required, threads } from './args';
import type { CliIO } from './errors';

export const PREDICT_HELP = `Usage: segmenta-model predict --model DIR --image FILE [options]

Runs a Segmenta model directory on one image and writes COCO results: one record per detection with
image_id, category_id, category_name, bbox [x, y, w, h] in original pixels, score and segmentation
(compressed RLE of the mask at probability 0.5).

Options:
  --model DIR            model directory (model.json + weights.safetensors) (required)
  --image FILE           JPEG, PNG, WebP, TIFF, AVIF or GIF image (required)
  --json OUT.json        write the results here (default: standard output)
  --overlay OUT.png      also draw masks, boxes and labels over the image
  --score-threshold S    keep detections scoring at least S (default ${DEFAULT_SCORE_THRESHOLD})
  --image-id ID          image_id of the records (default 0)
  --backend B            auto (default), tensorflow, wasm, cpu
  --threads N            wasm backend threads, at most 8 (default: one per core)
  -h, --help             this help
`;

async function readInput(path: string): Promise<Uint8Array> {
  try {
    const b = await readFile(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
}

export async function predictCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, {
    model: { type: 'string' },
    image: { type: 'string' },
    json: { type: 'string' },
    overlay: { type: 'string' },
    'score-threshold': { type: 'string' },
    'image-id': { type: 'string' },
    backend: { type: 'string' },
    threads: { type: 'string' },
  });
  if (values.help) {
    io.stdout(PREDICT_HELP);
    return 0;
  }
  const dir = required(values.model, '--model');
  const imagePath = required(values.image, '--image');
  const scoreThreshold = number(values['score-threshold'], '--score-threshold', (n) => n >= 0 && n <= 1, 'a number in [0, 1]') ?? DEFAULT_SCORE_THRESHOLD;
  const rawId = values['image-id'];
  const imageId = rawId === undefined ? 0 : /^\d+$/.test(rawId) ? Number(rawId) : rawId;
  const pref = backend(values.backend);
  const threadCount = threads(values.threads);

  // Decode before loading weights: a bad image fails fast and cheaply.
  const image = await decodeImage(await readInput(imagePath));
  const choice = await selectBackend(pref, { threads: threadCount });
  io.stderr(`backend: ${choice.name} (${choice.reason})\n`);
  // A threshold below the saved roiHeads.scoreThresh lowers it, so every detection above it is reported.
  const { model, classes } = await loadCheckpoint(dir, { maxScoreThresh: scoreThreshold });
  try {
    const t0 = performance.now();
    const pred = await predictDetections({ model, classes }, image, { scoreThreshold });
    io.stderr(`${pred.detections.length} detections in ${(performance.now() - t0).toFixed(0)} ms (${image.width}×${image.height})\n`);
    const json = `${JSON.stringify(toCocoResults(pred, classes, imageId))}\n`;
    if (values.json) await writeFile(values.json, json);
    else io.stdout(json);
    if (values.overlay) await writeFile(values.overlay, await renderOverlay(image, pred, classes));
  } finally {
    model.dispose();
  }
  return 0;
}
