import { describe, expect, it } from 'vitest';
import { clampRing, distinctPointCount, editableRingProblem, ringSelfIntersects } from '../src/polygon-checks';

describe('polygon checks for the editor', () => {
  it('counts distinct points, so a triangle drawn with a repeated click still needs three places', () => {
    expect(distinctPointCount([0, 0, 0, 0, 5, 5])).toBe(2);
    expect(editableRingProblem([0, 0, 0, 0, 5, 5])).toMatch(/2 distinct point/);
    expect(editableRingProblem([0, 0, 5, 0, 5, 5])).toBeNull();
  });

  it('refuses collinear rings as zero area', () => {
    expect(editableRingProblem([0, 0, 1, 1, 2, 2, 3, 3])).toMatch(/zero area/);
  });

  it('clamps points into the image and says so', () => {
    expect(clampRing([-3, 2, 12, 4, 5, 11], 10, 8)).toEqual({ ring: [0, 2, 10, 4, 5, 8], clamped: true });
    expect(clampRing([1, 2, 3, 4, 5, 6], 10, 8).clamped).toBe(false);
  });

  it('detects a bow-tie and accepts a convex and a concave outline', () => {
    expect(ringSelfIntersects([0, 0, 10, 10, 10, 0, 0, 10])).toBe(true);
    expect(ringSelfIntersects([0, 0, 10, 0, 10, 10, 0, 10])).toBe(false);
    // An L shape: concave, edges meet only at shared vertices.
    expect(ringSelfIntersects([0, 0, 4, 0, 4, 2, 2, 2, 2, 4, 0, 4])).toBe(false);
    // A figure with a spike crossing an earlier edge far along the ring.
    expect(ringSelfIntersects([0, 0, 10, 0, 10, 10, 5, 10, 5, -5, 0, 10])).toBe(true);
  });

  it('finds a crossing in a long ring whose crossing edges are far apart in x-order', () => {
    const circle: number[] = [];
    for (let k = 0; k < 500; k++) circle.push(100 + 50 * Math.cos((2 * Math.PI * k) / 500), 100 + 50 * Math.sin((2 * Math.PI * k) / 500));
    expect(ringSelfIntersects(circle)).toBe(false);
    // Swap two opposite points: the ring now crosses itself.
    const crossed = circle.slice();
    [crossed[0], crossed[1], crossed[500], crossed[501]] = [circle[500]!, circle[501]!, circle[0]!, circle[1]!];
    expect(ringSelfIntersects(crossed)).toBe(true);
  });
});
