// COCO evaluation benchmark (issue #6): our COCOeval (`@segmenta/coco`) next to pycocotools on the
// same generated files. 5,000 images (640×480) × ~10 ground-truth polygons (a few crowds) × 20
// detections with compressed-RLE masks and boxes (as Mask R-CNN results are saved). Times loading
// separately from evaluation (pycocotools: evaluate + accumulate + summarize; ours: cocoEvaluate,
// which does all three), and checks both give the same 12 numbers.
//
// Needs a pycocotools built in place outside the repo (see bench/README.md). From the repo root:
//   PYCOCOTOOLS_DIR=/tmp/cocoapi/PythonAPI npx tsx bench/coco-eval.ts [--images 5000] [--dets 20] [--iou segm] [--dir /tmp/segmenta-coco-eval]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cocoEvaluate, parseCocoFile, parseCocoResults, polygonsArea, polygonsBbox, polygonsToRle, type Ring } from '@segmenta/coco';
import { between, intBetween, jitterRing, pick, round, seeded, starRing, type Rand } from '../packages/coco/scripts/fixture-random';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '5000' },
    dets: { type: 'string', default: '20' },
    iou: { type: 'string', default: 'segm' },
    dir: { type: 'string', default: '/tmp/segmenta-coco-eval' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});
const images = Number(values.images);
const detsPerImage = Number(values.dets);
const iouType = values.iou === 'bbox' ? 'bbox' : 'segm';
const [W, H, CATEGORIES] = [640, 480, 10];
const pycocotoolsDir = process.env.PYCOCOTOOLS_DIR;
if (!pycocotoolsDir) throw new Error('set PYCOCOTOOLS_DIR to a built cocoapi PythonAPI folder (see bench/README.md)');

/** An object outline: mostly small and medium, some large, as in COCO. */
function shape(rand: Rand): Ring {
  const r = pick(rand, [[5, 16], [5, 16], [18, 45], [18, 45], [50, 150]] as const);
  return starRing(rand, between(rand, 0, W), between(rand, 0, H), between(rand, r[0], r[1]), intBetween(rand, 8, 20), between(rand, 0, 0.4));
}

function generate(gtPath: string, dtPath: string): void {
  const rand = seeded(5000);
  const imageList: object[] = [];
  const annotations: object[] = [];
  const results: object[] = [];
  const detection = (imageId: number, cat: number, ring: Ring, score: number) => {
    const segmentation = polygonsToRle([ring], H, W);
    results.push({ image_id: imageId, category_id: cat, bbox: polygonsBbox([ring]).map((v) => round(v)), score: round(score, 4), segmentation });
  };
  for (let id = 1; id <= images; id++) {
    imageList.push({ id, width: W, height: H, file_name: `${String(id).padStart(6, '0')}.jpg` });
    const objects: { ring: Ring; cat: number; crowd: boolean }[] = [];
    for (let n = intBetween(rand, 6, 14); n > 0; n--) {
      const crowd = rand() < 0.03;
      const ring = crowd ? starRing(rand, between(rand, 0, W), between(rand, 0, H), between(rand, 60, 160), 16, 0.3) : shape(rand);
      const cat = intBetween(rand, 1, CATEGORIES);
      annotations.push({ id: annotations.length + 1, image_id: id, category_id: cat, segmentation: [ring], area: round(polygonsArea([ring])), bbox: polygonsBbox([ring]).map((v) => round(v)), iscrowd: crowd ? 1 : 0 });
      objects.push({ ring, cat, crowd });
    }
    const before = results.length;
    for (const o of objects) {
      if (results.length - before >= detsPerImage) break;
      if (rand() < 0.15) continue; // missed
      const spread = between(rand, 0.5, 5);
      const shift: [number, number] = [between(rand, -spread, spread), between(rand, -spread, spread)];
      detection(id, rand() < 0.9 ? o.cat : intBetween(rand, 1, CATEGORIES), jitterRing(rand, o.ring, spread, shift), between(rand, 0.3, 1));
      if (rand() < 0.2 && results.length - before < detsPerImage) detection(id, o.cat, jitterRing(rand, o.ring, 2 * spread), between(rand, 0.1, 0.9));
    }
    while (results.length - before < detsPerImage) detection(id, intBetween(rand, 1, CATEGORIES), shape(rand), between(rand, 0.01, 0.5));
  }
  const categories = Array.from({ length: CATEGORIES }, (_, i) => ({ id: i + 1, name: `class${i + 1}` }));
  writeFileSync(gtPath, JSON.stringify({ images: imageList, annotations, categories }));
  writeFileSync(dtPath, JSON.stringify(results));
}

mkdirSync(values.dir, { recursive: true });
const gtPath = path.join(values.dir, `gt-${images}.json`);
const dtPath = path.join(values.dir, `dt-${images}x${detsPerImage}.json`);
if (!existsSync(gtPath) || !existsSync(dtPath)) {
  const t = performance.now();
  generate(gtPath, dtPath);
  console.log(`generated ${gtPath}, ${dtPath} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const mb = (p: string) => (readFileSync(p).length / 1e6).toFixed(1);
console.log(`files: ground truth ${mb(gtPath)} MB, detections ${mb(dtPath)} MB`);
const cpu = os.cpus();
console.log(`machine: ${cpu[0]?.model} ×${cpu.length}, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

// Ours first, then pycocotools (one at a time: the machine has two cores and both are single-threaded).
let t = performance.now();
const gt = parseCocoFile(JSON.parse(readFileSync(gtPath, 'utf8'))).data;
const results = parseCocoResults(JSON.parse(readFileSync(dtPath, 'utf8')));
const oursLoad = (performance.now() - t) / 1000;
t = performance.now();
const ours = cocoEvaluate(gt, results, { iouType });
const oursEval = (performance.now() - t) / 1000;

const py = JSON.parse(execFileSync(values.python, ['bench/pycocotools_eval.py', '--gt', gtPath, '--dt', dtPath, '--iou', iouType], { encoding: 'utf8', maxBuffer: 1 << 20 })) as {
  load_s: number; evaluate_s: number; accumulate_s: number; summarize_s: number; stats: number[];
};
const pyEval = py.evaluate_s + py.accumulate_s + py.summarize_s;
const maxDiff = Math.max(...ours.stats.map((v, i) => Math.abs(v - py.stats[i]!)));
const s = (v: number) => `${v.toFixed(2)} s`;
console.log(`\n${images} images × ${detsPerImage} detections, iouType ${iouType}, ${gt.annotations.length} ground-truth instances, ${results.length} detections`);
console.log('| | load | evaluate + accumulate + summarize |');
console.log('|---|---:|---:|');
console.log(`| pycocotools | ${s(py.load_s)} | ${s(pyEval)} (${py.evaluate_s.toFixed(2)} + ${py.accumulate_s.toFixed(2)} + ${py.summarize_s.toFixed(2)}) |`);
console.log(`| @segmenta/coco | ${s(oursLoad)} | ${s(oursEval)} |`);
console.log(`| speed-up | ${(py.load_s / oursLoad).toFixed(1)}× | ${(pyEval / oursEval).toFixed(1)}× |`);
console.log(`AP ${ours.stats[0]!.toFixed(4)}, max |ours − pycocotools| over the 12 stats: ${maxDiff.toExponential(2)}`);
console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
