// segmenta-model synth: a generated shapes dataset (images + COCO instances JSON) for tests, demos, benchmarks.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { polygonsArea, polygonsBbox } from '@segmenta/coco';
import { renderScene, SHAPE_KINDS } from '@segmenta/imaging';
import { number, parse, required } from './args';
import { UsageError, type CliIO } from './errors';

export const SYNTH_HELP = `Usage: segmenta-model synth --out DIR [options]

Writes shapes-on-textured-backgrounds images and one COCO instances file per split:
DIR/images/*.png, DIR/train.json, DIR/val.json (and DIR/test.json with --test).

Options:
  --out DIR          output directory (required)
  --train N          training images (default 150)
  --val N            validation images (default 30)
  --test N           test images (default 0)
  --classes K        number of classes, 1–10 (default 4): ${SHAPE_KINDS.join(', ')}
  --size WxH         image size (default 256x256)
  --seed S           seed (default 1)
  -h, --help         this help
`;

export async function synthCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parse(argv, { out: { type: 'string' }, train: { type: 'string' }, val: { type: 'string' }, test: { type: 'string' }, classes: { type: 'string' }, size: { type: 'string' }, seed: { type: 'string' } });
  if (values.help) {
    io.stdout(SYNTH_HELP);
    return 0;
  }
  const out = required(values.out, '--out');
  const int = (v: string | undefined, flag: string, min: number, max: number, dflt: number) => number(v, flag, (n) => Number.isInteger(n) && n >= min && n <= max, `an integer in [${min}, ${max}]`) ?? dflt;
  const counts = { train: int(values.train, '--train', 1, 100_000, 150), val: int(values.val, '--val', 0, 100_000, 30), test: int(values.test, '--test', 0, 100_000, 0) };
  const classCount = int(values.classes, '--classes', 1, SHAPE_KINDS.length, 4);
  const seed = int(values.seed, '--seed', 0, 2 ** 31 - 1, 1);
  const m = /^(\d+)x(\d+)$/.exec(values.size ?? '256x256');
  if (!m) throw new UsageError(`--size must look like 256x256, got "${values.size}"`);
  const [width, height] = [Number(m[1]), Number(m[2])];
  if (width < 32 || height < 32 || width > 4096 || height > 4096) throw new UsageError('--size must be between 32x32 and 4096x4096');
  await mkdir(path.join(out, 'images'), { recursive: true });
  const categories = SHAPE_KINDS.slice(0, classCount).map((name, i) => ({ id: i + 1, name }));
  let n = 0;
  for (const [split, count] of Object.entries(counts)) {
    if (count === 0) continue;
    const images = [];
    const annotations = [];
    for (let i = 0; i < count; i++, n++) {
      const scene = await renderScene({ width, height, classCount, seed: seed * 100_003 + n, minInstances: 1, maxInstances: 4 });
      const fileName = `${split}-${String(i).padStart(5, '0')}.png`;
      await writeFile(path.join(out, 'images', fileName), scene.png);
      images.push({ id: i + 1, file_name: fileName, width, height });
      for (const inst of scene.instances) {
        annotations.push({ id: annotations.length + 1, image_id: i + 1, category_id: inst.classIndex + 1, segmentation: [inst.polygon], bbox: polygonsBbox([inst.polygon]), area: polygonsArea([inst.polygon]), iscrowd: 0 });
      }
    }
    await writeFile(path.join(out, `${split}.json`), JSON.stringify({ info: { description: 'Segmenta synthetic shapes', seed }, images, annotations, categories }));
    io.stderr(`${split}: ${count} images, ${annotations.length} instances\n`);
  }
  return 0;
}
