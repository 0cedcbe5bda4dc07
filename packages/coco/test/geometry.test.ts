import { describe, expect, it } from 'vitest';
import { polygonsArea, polygonsBbox, ringArea, ringProblem } from '../src/geometry';

describe('polygon geometry', () => {
  const square = [10, 10, 30, 10, 30, 40, 10, 40];
  it('computes area regardless of winding', () => {
    expect(ringArea(square)).toBe(600);
    expect(ringArea([10, 40, 30, 40, 30, 10, 10, 10])).toBe(600);
    expect(ringArea([0, 0, 4, 0, 0, 3])).toBe(6);
  });
  it('sums parts and bounds them all', () => {
    expect(polygonsArea([square, [100, 100, 101, 100, 101, 102]])).toBe(601);
    expect(polygonsBbox([square, [100, 100, 101, 100, 101, 102]])).toEqual([10, 10, 91, 92]);
    expect(polygonsBbox([])).toEqual([0, 0, 0, 0]);
  });
  it('explains unusable rings', () => {
    expect(ringProblem([1, 2, 3])).toBe('has an odd number of coordinates');
    expect(ringProblem([1, 2, 3, 4])).toBe('needs at least 3 points');
    expect(ringProblem([0, 0, 1, 1, 2, 2])).toBe('has zero area');
    expect(ringProblem([0, 0, 1, Number.NaN, 2, 0])).toBe('holds a non-finite coordinate');
    expect(ringProblem(square)).toBeNull();
  });
});
