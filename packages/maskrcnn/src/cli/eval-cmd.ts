// segmenta-model eval: COCO bbox and segm metrics of a model directory on a COCO file.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { cocoEvaluate, formatSummary, parseCocoFile, type CocoResult } from '@segmenta/coco';
import { loadCheckpoint } from '../checkpoint/node';
import { decodeImage } from '../predict/image';
import { predictImage } from '../predict/predict';
import { selectBackend } from '../select-backend';
import { backend, parse, required, threads } from './args';
import type { CliIO } from './errors';

export const EVAL_HELP = `Usage: segmenta-model eval --model DIR --coco GT.json --images DIR [--backend B] [--threads N]

Predicts every image of the COCO file and prints COCO's bbox and segm summaries (AP, AP50, AP75, …)
followed by one JSON line { bbox: {...}, segm: {...} }. Categories are matched by name.
`;

export async function evalCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, { model: { type: 'string' }, coco: { type: 'string' }, images: { type: 'string' }, backend: { type: 'string' }, threads: { type: 'string' } });
  if (values.help) {
    io.stdout(EVAL_HELP);
    return 0;
  }
  const dir = required(values.model, '--model');
  const cocoPath = required(values.coco, '--coco');
  const imagesDir = required(values.images, '--images');
  const { data: gt } = parseCocoFile(JSON.parse(await readFile(cocoPath, 'utf8')));
  const choice = await selectBackend(backend(values.backend), { threads: threads(values.threads) });
  io.stderr(`backend: ${choice.name} (${choice.reason})\n`);
  const { model, classes } = await loadCheckpoint(dir);
  const catByName = new Map(gt.categories.map((c) => [c.name, Number(c.id)]));
  const results: CocoResult[] = [];
  try {
    for (const img of gt.images) {
      const image = await decodeImage(new Uint8Array(await readFile(path.join(imagesDir, path.basename(String(img.file_name))))));
      for (const r of await predictImage({ model, classes }, image, { imageId: Number(img.id) })) {
        const categoryId = catByName.get(r.category_name);
        if (categoryId !== undefined) results.push({ ...r, category_id: categoryId } as unknown as CocoResult);
      }
    }
  } finally {
    model.dispose();
  }
  const summary: Record<string, unknown> = {};
  for (const iouType of ['bbox', 'segm'] as const) {
    const ev = cocoEvaluate(gt, results, { iouType });
    io.stdout(`${iouType}:\n${formatSummary(ev.stats, ev.params)}\n`);
    summary[iouType] = ev.summary;
  }
  io.stdout(`${JSON.stringify(summary)}\n`);
  return 0;
}
