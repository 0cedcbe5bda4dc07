// Generates the COCOeval fixtures under test/fixtures/eval/: small ground-truth + detection pairs
// whose golden numbers come from pycocotools (scripts/coco_golden.py). Deterministic: the same
// seeds give the same bytes, and test/golden-eval.test.ts checks the committed files against it.
//
//   npx tsx scripts/make-eval-fixtures.ts        (from packages/coco)
//
// What the fixtures exercise, and where:
//   mixed      polygon / compressed-RLE / uncompressed-RLE ground truth, crowds drawn as polygons
//              and as RLE, all three area ranges (plus areas exactly 32² and 96²), duplicates,
//              tied scores, an image with ground truth only, one with detections only, a category
//              without detections and one without ground truth; detections carry a bbox and a
//              compressed-RLE, uncompressed-RLE or polygon mask (loadRes' bbox branch: areas are
//              box areas).
//   maxdets    130 and 105 detections on one image and category (maxDets 1/10/100 cut-offs),
//              scores rounded to one decimal so ties cross images.
//   segm-only  detections with a compressed-RLE mask and no bbox (loadRes' segm branch: areas are
//              mask areas, boxes come from the masks), crowds included.
//   boxes      detections with a bbox only (segm evaluates their box-shaped masks).

import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { polygonsArea, polygonsBbox, type Ring } from '../src/geometry';
import { polygonsToRle } from '../src/rasterize';
import { rleArea, rleCounts, rleToBbox, type AnyRle } from '../src/rle';
import { between, fixtureJson, intBetween, jitterRing, pick, round, seeded, shuffle, starRing, writeFixtures, type Rand } from './fixture-random';

interface Image { id: number; width: number; height: number; file_name: string }
type Segmentation = Ring[] | AnyRle;
interface Gt { id: number; image_id: number; category_id: number; segmentation: Segmentation; area: number; bbox: number[]; iscrowd: 0 | 1 }
interface Dt { image_id: number; category_id: number; score: number; bbox?: number[]; segmentation?: Segmentation }
type SizeClass = 'small' | 'medium' | 'large';
type MaskForm = 'polygon' | 'rle' | 'uncompressed' | 'none';

const CATEGORIES = [
  { id: 0, name: 'person' }, // id 0, as Label Studio numbers them
  { id: 1, name: 'car' },
  { id: 2, name: 'dog' },
  { id: 3, name: 'tree' }, // ground truth only: no detection ever names it
  { id: 4, name: 'kite' }, // detections only: no ground truth
];
const SIZES: [number, number][] = [[320, 240], [240, 320], [256, 192], [180, 180]];
const RADIUS: Record<SizeClass, [number, number]> = { small: [4, 15], medium: [22, 42], large: [60, 105] };

class Scene {
  images: Image[] = [];
  annotations: Gt[] = [];
  results: Dt[] = [];
  constructor(readonly rand: Rand) {}

  image(id: number, [width, height]: [number, number]): Image {
    const im = { id, width, height, file_name: `${String(id).padStart(6, '0')}.jpg` };
    this.images.push(im);
    return im;
  }

  gt(im: Image, category: number, segmentation: Segmentation, iscrowd: 0 | 1 = 0): Gt {
    let area: number, bbox: number[];
    if (Array.isArray(segmentation)) {
      // Shoelace area and vertex box, as most exporters write them; COCOeval uses the file's values.
      area = round(polygonsArea(segmentation));
      bbox = polygonsBbox(segmentation).map((v) => round(v));
    } else {
      area = rleArea(segmentation);
      bbox = rleToBbox(segmentation);
    }
    // Ids from 1: COCOeval treats a matched ground-truth id 0 as "unmatched".
    const g: Gt = { id: this.annotations.length + 1, image_id: im.id, category_id: category, segmentation, area, bbox, iscrowd };
    this.annotations.push(g);
    return g;
  }

  /** A random object polygon (sometimes two parts) of a size class, possibly crossing the image edge. */
  shape(im: Image, size: SizeClass): Ring[] {
    const r = between(this.rand, ...RADIUS[size]);
    const cx = between(this.rand, -0.1 * im.width, 1.1 * im.width);
    const cy = between(this.rand, -0.1 * im.height, 1.1 * im.height);
    const rings = [starRing(this.rand, cx, cy, r, intBetween(this.rand, 5, 14), between(this.rand, 0, 0.6))];
    if (this.rand() < 0.15) rings.push(starRing(this.rand, cx + 2.2 * r, cy, r / 2, intBetween(this.rand, 4, 8), 0.3));
    return rings;
  }

  rle(rings: Ring[], im: Image, compressed: boolean): Segmentation {
    const rle = polygonsToRle(rings, im.height, im.width);
    return compressed ? rle : { size: rle.size, counts: rleCounts(rle) };
  }

  /** A detection of `rings` with the given mask form; bbox from the jittered outline unless form says otherwise. */
  detect(im: Image, category: number, rings: Ring[], score: number, form: MaskForm, withBox = true): Dt {
    const d: Dt = { image_id: im.id, category_id: category, score };
    if (withBox) d.bbox = polygonsBbox(rings).map((v) => round(v));
    if (form === 'polygon') d.segmentation = rings;
    else if (form === 'rle' || form === 'uncompressed') d.segmentation = this.rle(rings, im, form === 'rle');
    this.results.push(d);
    return d;
  }

  /** A noisy copy of an object's outline: what a decent model would predict. */
  noisy(rings: Ring[], spread: number): Ring[] {
    const shift: [number, number] = [between(this.rand, -spread, spread), between(this.rand, -spread, spread)];
    return rings.map((r) => jitterRing(this.rand, r, spread, shift));
  }

  score(): number {
    // Mostly two decimals, a fifth from a short list, so exact ties happen within and across images.
    return this.rand() < 0.2 ? pick(this.rand, [0.9, 0.75, 0.5]) : round(between(this.rand, 0.05, 1));
  }

  files(name: string): Record<string, string> {
    const gt = { info: { description: `segmenta eval fixture ${name}` }, images: this.images, annotations: this.annotations, categories: CATEGORIES };
    return { [`${name}.gt.json`]: fixtureJson(gt), [`${name}.dt.json`]: fixtureJson(shuffle(this.rand, this.results)) };
  }
}

function square(x: number, y: number, side: number): Ring[] {
  return [[x, y, x + side, y, x + side, y + side, x, y + side]];
}

function mixed(): Record<string, string> {
  const s = new Scene(seeded(6001));
  const { rand } = s;
  const ids = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233];
  const gtOnly = 144, dtOnly = 233;
  for (const id of ids) {
    const im = s.image(id, pick(rand, SIZES));
    const objects: { rings: Ring[]; cat: number }[] = [];
    if (id !== dtOnly) {
      for (let n = intBetween(rand, 4, 9); n > 0; n--) {
        const cat = pick(rand, [0, 0, 1, 1, 2, 3]);
        const rings = s.shape(im, pick(rand, ['small', 'small', 'medium', 'medium', 'large'] as const));
        // A few non-crowd objects stored as RLE, as exporters of mask tools write them.
        s.gt(im, cat, rand() < 0.12 ? s.rle(rings, im, rand() < 0.5) : rings);
        objects.push({ rings, cat });
      }
      if (id === 3 || id === 21) {
        // Areas exactly on the range boundaries (both ranges include them).
        for (const side of [32, 96]) {
          const rings = square(intBetween(rand, 0, 40), intBetween(rand, 0, 40), side);
          s.gt(im, 1, rings);
          objects.push({ rings, cat: 1 });
        }
      }
      if (rand() < 0.6) {
        // A crowd region with a handful of detections inside it (ignored, never false positives).
        const cat = pick(rand, [0, 1]);
        const rings = [starRing(rand, im.width / 2, im.height / 2, 50, 10, 0.3)];
        const form = rand() < 0.5 ? 'polygon' : rand() < 0.5 ? 'uncompressed' : 'compressed';
        s.gt(im, cat, form === 'polygon' ? rings : s.rle(rings, im, form === 'compressed'), 1);
        for (let n = intBetween(rand, 1, 4); n > 0; n--) {
          const inside = starRing(rand, im.width / 2 + between(rand, -20, 20), im.height / 2 + between(rand, -20, 20), between(rand, 5, 15), 6, 0.2);
          s.detect(im, cat, [inside], s.score(), 'rle');
        }
      }
    }
    if (id === gtOnly) continue;
    for (const o of objects) {
      if (o.cat === 3 || rand() < 0.15) continue; // missed
      const spread = between(rand, 0.5, 6);
      const form: MaskForm = pick(rand, ['polygon', 'uncompressed', 'rle', 'rle', 'rle', 'rle', 'rle']);
      s.detect(im, o.cat, s.noisy(o.rings, spread), s.score(), form);
      if (rand() < 0.2) s.detect(im, o.cat, s.noisy(o.rings, spread * 1.5), s.score(), 'rle'); // duplicate
      if (rand() < 0.1) s.detect(im, pick(rand, [0, 1, 2, 4]), s.noisy(o.rings, spread), s.score(), 'rle'); // wrong class
    }
    for (let n = intBetween(rand, 0, 3); n > 0; n--) {
      s.detect(im, pick(rand, [0, 1, 2, 4]), s.shape(im, pick(rand, ['small', 'medium', 'large'] as const)), s.score(), 'rle');
    }
  }
  return s.files('mixed');
}

function maxdets(): Record<string, string> {
  const s = new Scene(seeded(6002));
  const { rand } = s;
  const busy = s.image(1, [400, 300]);
  const other = s.image(2, [320, 240]);
  const quiet = s.image(3, [320, 240]);
  const objects: Ring[][] = [];
  for (let n = 0; n < 40; n++) {
    const rings = [starRing(rand, between(rand, 10, 390), between(rand, 10, 290), between(rand, 4, 20), intBetween(rand, 5, 9), 0.3)];
    s.gt(busy, 0, rings);
    objects.push(rings);
  }
  for (let n = 0; n < 3; n++) s.gt(other, 1, s.shape(other, 'medium'));
  s.gt(quiet, 0, s.shape(quiet, 'large'));
  const tenth = () => round(between(rand, 0.05, 1), 1);
  // 130 detections of category 0 on one image: three guesses per object plus noise.
  for (let n = 0; n < 130; n++) {
    const rings = n < 120 ? s.noisy(objects[n % 40]!, between(rand, 0.5, 4)) : s.shape(busy, 'small');
    s.detect(busy, 0, rings, tenth(), 'rle');
  }
  // 105 detections of category 1 on another image, almost all false positives.
  for (let n = 0; n < 105; n++) s.detect(other, 1, s.shape(other, pick(rand, ['small', 'medium'] as const)), tenth(), 'rle');
  s.detect(quiet, 0, s.shape(quiet, 'medium'), tenth(), 'rle');
  return s.files('maxdets');
}

function segmOnly(): Record<string, string> {
  const s = new Scene(seeded(6003));
  const { rand } = s;
  for (let id = 1; id <= 6; id++) {
    const im = s.image(id, pick(rand, SIZES));
    for (let n = intBetween(rand, 3, 7); n > 0; n--) {
      const cat = pick(rand, [0, 1, 2]);
      const rings = s.shape(im, pick(rand, ['small', 'medium', 'large'] as const));
      s.gt(im, cat, rings);
      if (rand() < 0.8) s.detect(im, cat, s.noisy(rings, between(rand, 0.5, 5)), s.score(), 'rle', false);
    }
    if (id % 2 === 0) {
      const rings = [starRing(rand, im.width / 3, im.height / 3, 40, 8, 0.2)];
      s.gt(im, 0, s.rle(rings, im, false), 1);
      s.detect(im, 0, [starRing(rand, im.width / 3, im.height / 3, 10, 6, 0.2)], s.score(), 'rle', false);
    }
    s.detect(im, pick(rand, [0, 1, 2, 4]), s.shape(im, 'medium'), s.score(), 'rle', false);
  }
  return s.files('segm-only');
}

function boxes(): Record<string, string> {
  const s = new Scene(seeded(6004));
  const { rand } = s;
  for (let id = 1; id <= 5; id++) {
    const im = s.image(id, pick(rand, SIZES));
    for (let n = intBetween(rand, 2, 6); n > 0; n--) {
      const cat = pick(rand, [0, 1, 2]);
      const rings = s.shape(im, pick(rand, ['small', 'medium', 'large'] as const));
      s.gt(im, cat, rings, rand() < 0.1 ? 1 : 0);
      if (rand() < 0.85) s.detect(im, cat, s.noisy(rings, between(rand, 0.5, 5)), s.score(), 'none');
    }
    s.detect(im, pick(rand, [0, 1, 4]), s.shape(im, 'small'), s.score(), 'none');
  }
  return s.files('boxes');
}

/** Every eval fixture file, name → text. */
export function buildEvalFixtures(): Record<string, string> {
  return { ...mixed(), ...maxdets(), ...segmOnly(), ...boxes() };
}

export const EVAL_FIXTURE_NAMES = ['mixed', 'maxdets', 'segm-only', 'boxes'] as const;
export const EVAL_FIXTURE_DIR = fileURLToPath(new URL('../test/fixtures/eval/', import.meta.url));

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFixtures(EVAL_FIXTURE_DIR, buildEvalFixtures());
}
