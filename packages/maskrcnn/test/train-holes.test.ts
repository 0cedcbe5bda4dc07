// A region with a hole, as Segmenta stores and exports it, stays holed all the way to the 28×28 mask
// targets the mask head learns from: COCO file (hole as RLE) → cocoTargets → project_masks_on_boxes.
import { describe, expect, it } from 'vitest';
import { buildCocoExport, instanceRasterArea, parseCocoFile, polygonsBbox } from '@segmenta/coco';
import { cocoTargets } from '../src/trainer/data';
import { maskTargets } from '../src/train/targets';

describe('training targets of a region with a hole', () => {
  const [H, W] = [48, 64];
  const outer = [8, 8, 56, 8, 56, 40, 8, 40];
  const hole = [24, 16, 40, 16, 40, 32, 24, 32];
  const exported = buildCocoExport({
    project: { name: 'holes' },
    classes: [{ id: 'c', name: 'frame', order: 0 }],
    images: [{ id: 'i', fileName: 'frame.png', width: W, height: H }],
    annotations: [{ id: 'a', imageId: 'i', classId: 'c', polygons: [outer, hole], rle: null, bbox: polygonsBbox([outer, hole]), area: instanceRasterArea([outer, hole], H, W), iscrowd: 0 }],
  });

  it('decodes the hole from the exported file into the image-size target mask', () => {
    const { targets, warnings } = cocoTargets(parseCocoFile(JSON.parse(JSON.stringify(exported))).data);
    expect(warnings).toEqual([]);
    const t = targets.get(1)!;
    expect(Array.from(t.boxes)).toEqual([8, 8, 56, 40]);
    const at = (x: number, y: number) => t.masks[y * W + x];
    expect([at(10, 10), at(32, 24), at(50, 35), at(4, 4)]).toEqual([1, 0, 1, 0]);
    expect(t.masks.reduce((a, v) => a + v, 0)).toBe(48 * 32 - 16 * 16);
  });

  it('keeps the hole in the 28×28 mask target over the ground-truth box', () => {
    const { targets } = cocoTargets(parseCocoFile(JSON.parse(JSON.stringify(exported))).data);
    const t = targets.get(1)!;
    const m = 28;
    const target = maskTargets(t.masks, [H, W], t.boxes, Int32Array.of(0), m);
    // The box spans 48×32 px; the hole is its middle third by width and half by height.
    const cell = (col: number, row: number) => target[row * m + col]!;
    expect(cell(14, 14)).toBe(0);
    expect(cell(2, 2)).toBe(1);
    expect(cell(25, 25)).toBe(1);
    expect(cell(2, 14)).toBe(1);
  });
});
