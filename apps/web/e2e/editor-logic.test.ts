// The editor's pure logic (view transform, hit testing, polygon ops, undo history, conflict merge).
// The web package has no unit-test setup of its own, so these run with the e2e suite.
import { describe, expect, it } from 'vitest';
import { historyReducer, initialHistory } from '../src/components/editor/history';
import { instanceRasterArea } from '@segmenta/coco';
import { hitEdge, hitMidpoint, hitRegion, hitVertex, pointInInstance } from '../src/components/editor/hit';
import { addPart, deleteVertex, displayFlags, insertVertex, instanceArea, moveVertex, translate, type Doc, type Instance } from '../src/components/editor/model';
import { foldSaved, mergeKeepBoth, toPutAnnotations } from '../src/components/editor/persist';
import { classHotkeys } from '../src/components/editor/hotkeys';
import { fitView, toImage, toScreen, zoomAt } from '../src/components/editor/view';

const square = (key: string, x = 0, y = 0, s = 10, id?: string): Instance => ({ key, id, classId: 'c1', polygons: [[x, y, x + s, y, x + s, y + s, x, y + s]], iscrowd: 0, source: 'manual', flags: [] });

describe('view transform', () => {
  it('maps image to screen and back, and zooms around a fixed screen point', () => {
    const v = fitView(4000, 3000, 800, 600, 0);
    expect(v.scale).toBeCloseTo(0.2);
    expect(toScreen(v, { x: 4000, y: 3000 })).toEqual({ x: 800, y: 600 });
    const at = { x: 123, y: 321 };
    const before = toImage(v, at);
    const z = zoomAt(v, at, 3.7);
    expect(z.scale).toBeCloseTo(0.74);
    const after = toImage(z, at);
    expect(after.x).toBeCloseTo(before.x, 9);
    expect(after.y).toBeCloseTo(before.y, 9);
  });
});

describe('hit testing in screen tolerance', () => {
  const inst = square('a', 100, 100, 50);
  it('finds vertices within 7 screen px whatever the zoom', () => {
    expect(hitVertex(inst, { x: 103, y: 103 }, { scale: 1, x: 0, y: 0 })).toEqual({ key: 'a', part: 0, index: 0 });
    // At 4× zoom, 3 image px are 12 screen px: too far.
    expect(hitVertex(inst, { x: 103, y: 103 }, { scale: 4, x: 0, y: 0 })).toBeNull();
    // 22 image px from the corner: far at 1×, 2.2 screen px at 0.1×.
    expect(hitVertex(inst, { x: 90, y: 80 }, { scale: 1, x: 0, y: 0 })).toBeNull();
    expect(hitVertex(inst, { x: 90, y: 80 }, { scale: 0.1, x: 0, y: 0 })?.index).toBe(0);
  });
  it('finds edges, midpoints and the topmost region', () => {
    const e = hitEdge(inst, { x: 120, y: 102 }, { scale: 1, x: 0, y: 0 });
    expect(e).toMatchObject({ part: 0, index: 0, point: { x: 120, y: 100 } });
    expect(hitMidpoint(inst, { x: 151, y: 126 }, { scale: 1, x: 0, y: 0 })).toMatchObject({ index: 1, point: { x: 150, y: 125 } });
    expect(pointInInstance(inst, { x: 125, y: 125 })).toBe(true);
    expect(pointInInstance(inst, { x: 99, y: 125 })).toBe(false);
    const top = square('b', 120, 120, 50);
    expect(hitRegion([inst, top], { x: 130, y: 130 }, () => true)?.key).toBe('b');
    expect(hitRegion([inst, top], { x: 130, y: 130 }, (i) => i.key !== 'b')?.key).toBe('a');
  });
});

describe('a part added inside a region', () => {
  const below = square('below', 0, 0, 200);
  const holed = addPart(square('holed', 100, 100, 50), [110, 110, 140, 110, 140, 140, 110, 140]);
  it('is a hole: clicks in it reach the region underneath, and the area leaves it out', () => {
    expect(hitRegion([below, holed], { x: 105, y: 105 }, () => true)?.key).toBe('holed');
    expect(hitRegion([below, holed], { x: 125, y: 125 }, () => true)?.key).toBe('below');
    expect(instanceArea(holed, 640, 480)).toBe(50 * 50 - 30 * 30);
    expect(instanceArea(holed, 640, 480)).toBe(instanceRasterArea(holed.polygons, 480, 640));
    // Clipped by a smaller image, as the server clips it.
    expect(instanceArea(holed, 120, 480)).toBe(20 * 50 - 10 * 30);
  });
  it('inside the hole is an island again; a part across the region is a union', () => {
    const island = addPart(holed, [120, 120, 130, 120, 130, 130, 120, 130]);
    expect(hitRegion([island], { x: 125, y: 125 }, () => true)?.key).toBe('holed');
    expect(instanceArea(island, 640, 480)).toBe(2500 - 900 + 100);
    const across = addPart(square('a', 0, 0, 20), [10, 10, 40, 10, 40, 15, 10, 15]);
    expect(instanceArea(across, 640, 480)).toBe(400 + 20 * 5);
  });
});

describe('polygon operations', () => {
  it('moves, inserts and deletes vertices; a triangle losing a vertex loses its part', () => {
    let s = square('a');
    s = moveVertex(s, 0, 2, 12, 13);
    expect(s.polygons[0]).toEqual([0, 0, 10, 0, 12, 13, 0, 10]);
    s = insertVertex(s, 0, 0, 5, -1);
    expect(s.polygons[0]).toEqual([0, 0, 5, -1, 10, 0, 12, 13, 0, 10]);
    s = deleteVertex(s, 0, 1)!;
    expect(s.polygons[0]).toEqual([0, 0, 10, 0, 12, 13, 0, 10]);
    s = addPart(s, [20, 20, 30, 20, 25, 30]);
    expect(s.polygons).toHaveLength(2);
    s = deleteVertex(s, 1, 0)!;
    expect(s.polygons).toHaveLength(1);
    expect(deleteVertex({ ...s, polygons: [[0, 0, 1, 0, 0, 1]] }, 0, 0)).toBeNull();
  });
  it('keeps a moved region inside the image and marks edited model output as manual', () => {
    const moved = translate({ ...square('a', 5, 5), source: 'model' }, -20, 1000, 100, 100);
    expect(moved.polygons[0]).toEqual([0, 90, 10, 90, 10, 100, 0, 100]);
    expect(moved.source).toBe('manual');
  });
  it('flags a bow-tie as self-intersecting', () => {
    expect(displayFlags({ ...square('a'), polygons: [[0, 0, 10, 10, 10, 0, 0, 10]] })).toEqual(['self_intersecting']);
    expect(displayFlags(square('a'))).toEqual([]);
  });
});

describe('undo history', () => {
  it('undoes and redoes commits; a drag preview is one step with the document from before it', () => {
    const d0: Doc = { instances: [] };
    const d1: Doc = { instances: [square('a')] };
    const d2: Doc = { instances: [moveVertex(square('a'), 0, 0, 1, 1)] };
    let h = historyReducer(initialHistory(d0), { type: 'commit', doc: d1 });
    h = historyReducer(h, { type: 'preview', doc: { instances: [moveVertex(square('a'), 0, 0, 0.5, 0.5)] } });
    h = historyReducer(h, { type: 'preview', doc: d2 });
    h = historyReducer(h, { type: 'commit', doc: d2, before: d1 });
    expect(h.past).toEqual([d0, d1]);
    h = historyReducer(h, { type: 'undo' });
    expect(h.present).toBe(d1);
    h = historyReducer(h, { type: 'undo' });
    expect(h.present).toBe(d0);
    h = historyReducer(historyReducer(h, { type: 'redo' }), { type: 'redo' });
    expect(h.present).toBe(d2);
    expect(historyReducer(h, { type: 'redo' })).toBe(h);
  });
});

describe('saving and conflicts', () => {
  it('sends ids learnt from earlier saves and folds the server answer into unchanged instances', () => {
    const a = square('a');
    const sent: Doc = { instances: [a] };
    const ids = new Map<string, string>();
    const server = { imageId: 'i', projectId: 'p', width: 100, height: 100, version: 3, status: 'in_progress' as const, reviewComment: null, annotations: [{ id: 'srv-1', classId: 'c1', className: 'x', polygons: [[0, 0, 10, 0, 10, 10, 0, 10]], bbox: [0, 0, 10, 10] as [number, number, number, number], area: 100, iscrowd: 0 as const, source: 'manual' as const, flags: [] }] };
    const folded = foldSaved(sent, sent, server, ids);
    expect(folded.instances[0]).toMatchObject({ key: 'a', id: 'srv-1' });
    expect(toPutAnnotations({ instances: [a] }, ids)).toEqual([{ id: 'srv-1', classId: 'c1', polygons: a.polygons, iscrowd: 0 }]);
  });
  it('keeps both sides: server instances plus every local one the server lacks or holds differently', () => {
    const server: Doc = { instances: [square('s1', 0, 0, 10, 'id1'), square('s2', 50, 50, 10, 'id2')] };
    const mine: Doc = { instances: [square('m1', 0, 0, 10, 'id1'), square('m2', 50, 50, 12, 'id2'), square('m3', 70, 70, 5)] };
    const merged = mergeKeepBoth(server, mine);
    expect(merged.instances.map((i) => i.id ?? 'new')).toEqual(['id1', 'id2', 'new', 'new']);
    expect(merged.instances[2]!.polygons).toEqual(mine.instances[1]!.polygons);
    expect(merged.instances[3]!.polygons).toEqual(mine.instances[2]!.polygons);
  });
  it('gives hotkeys 1–9, 0: explicit ones first, then by order', () => {
    const cls = (id: string, hotkey: string | null, order: number) => ({ id, name: id, color: '#000', hotkey, order });
    const keys = classHotkeys([cls('a', null, 0), cls('b', '1', 1), cls('c', null, 2)]);
    expect(Object.fromEntries(keys)).toEqual({ '1': 'b', '2': 'a', '3': 'c' });
  });
});
