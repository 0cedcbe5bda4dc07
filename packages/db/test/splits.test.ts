import { describe, expect, it } from 'vitest';
import { planSplit } from '../src/splits';

const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`);

describe('planSplit', () => {
  it('hits the ratios exactly where rounding allows (70/15/15 of 100 → 70/15/15)', () => {
    const plan = planSplit(ids(100, 'x').map((id) => ({ id, classIds: [] })), { train: 0.7, val: 0.15, test: 0.15 }, 1);
    const counts = { train: 0, val: 0, test: 0 };
    for (const s of plan.values()) counts[s]++;
    expect(counts).toEqual({ train: 70, val: 15, test: 15 });
  });

  it('is reproducible for a seed regardless of input order, and differs for another seed', () => {
    const images = ids(50, 'i').map((id, k) => ({ id, classIds: k % 3 ? ['a'] : ['b'] }));
    const a = planSplit(images, { train: 0.7, val: 0.15, test: 0.15 }, 9);
    const b = planSplit([...images].reverse(), { train: 0.7, val: 0.15, test: 0.15 }, 9);
    expect([...b].sort()).toEqual([...a].sort());
    const c = planSplit(images, { train: 0.7, val: 0.15, test: 0.15 }, 10);
    expect([...c].sort()).not.toEqual([...a].sort());
  });

  it('stratifies: a rare class appears in every split it can', () => {
    const common = ids(80, 'c').map((id) => ({ id, classIds: ['car'] }));
    const rare = ids(10, 'r').map((id) => ({ id, classIds: ['car', 'horse'] }));
    const plan = planSplit([...common, ...rare], { train: 0.6, val: 0.2, test: 0.2 }, 3);
    const rareSplits = rare.map((r) => plan.get(r.id));
    expect(rareSplits.filter((s) => s === 'train')).toHaveLength(6);
    expect(rareSplits.filter((s) => s === 'val')).toHaveLength(2);
    expect(rareSplits.filter((s) => s === 'test')).toHaveLength(2);
  });
});
