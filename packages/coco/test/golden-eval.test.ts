// COCOeval numbers against pycocotools' own, on the generated fixtures (golden.json is written by
// scripts/coco_golden.py from a pycocotools build; see the package README to regenerate).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildEvalFixtures, EVAL_FIXTURE_NAMES } from '../scripts/make-eval-fixtures';
import { cocoEvaluate } from '../src/eval';
import { parseCocoFile, parseCocoResults } from '../src/schema';

const dir = new URL('./fixtures/eval/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8');

interface GoldenEval { stats: number[]; perCategoryAp: Record<string, number> }
interface Golden {
  pycocotools: { commit: string };
  fixtures: Record<string, { sha256: { gt: string; dt: string }; bbox: GoldenEval; segm: GoldenEval }>;
}
const golden = JSON.parse(read('golden.json')) as Golden;
/** The bound; the differences actually seen are at most 7e-15 (summation order). */
const TOLERANCE = 1e-4;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('COCOeval against pycocotools golden numbers', () => {
  it('has golden numbers for exactly the generated fixtures, made by a recorded pycocotools commit', () => {
    expect(Object.keys(golden.fixtures).sort()).toEqual([...EVAL_FIXTURE_NAMES].sort());
    expect(golden.pycocotools.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('regenerates the committed fixtures byte for byte', () => {
    for (const [name, text] of Object.entries(buildEvalFixtures())) expect(read(name), name).toBe(text);
  });

  describe.each(EVAL_FIXTURE_NAMES)('%s', (name) => {
    const gtText = read(`${name}.gt.json`);
    const dtText = read(`${name}.dt.json`);
    const want = golden.fixtures[name]!;

    it('golden.json was computed from these very files', () => {
      expect({ gt: sha256(gtText), dt: sha256(dtText) }).toEqual(want.sha256);
    });

    it.each(['bbox', 'segm'] as const)('%s: the 12 stats and per-category AP agree', (iouType) => {
      const gt = parseCocoFile(JSON.parse(gtText)).data;
      const results = parseCocoResults(JSON.parse(dtText));
      const r = cocoEvaluate(gt, results, { iouType });
      const expected = want[iouType];
      expect(r.stats).toHaveLength(12);
      r.stats.forEach((v, i) => expect(Math.abs(v - expected.stats[i]!), `stats[${i}]: ours ${v}, pycocotools ${expected.stats[i]}`).toBeLessThanOrEqual(TOLERANCE));
      const ours = Object.fromEntries(r.perCategory.map((c) => [String(c.categoryId), c.ap]));
      expect(Object.keys(ours).sort()).toEqual(Object.keys(expected.perCategoryAp).sort());
      for (const [id, ap] of Object.entries(expected.perCategoryAp)) {
        expect(Math.abs(ours[id]! - ap), `category ${id}: ours ${ours[id]}, pycocotools ${ap}`).toBeLessThanOrEqual(TOLERANCE);
      }
    });
  });
});
