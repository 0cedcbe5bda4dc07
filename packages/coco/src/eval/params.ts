// COCOeval's default detection parameters, reproduced to the last bit: thresholds are compared
// with `<`/searchsorted, so 0.9 vs 0.8999999999999999 can change a match.

export type IouType = 'bbox' | 'segm';
export type AreaLabel = 'all' | 'small' | 'medium' | 'large';

export interface EvalParams {
  iouType: IouType;
  /** numpy.linspace(.5, .95, 10): start + i * step with the last value pinned to the stop. */
  iouThrs: number[];
  /** numpy.linspace(0, 1, 101). */
  recThrs: number[];
  /** Ascending; summaries use maxDets[2] (100) unless they say otherwise. */
  maxDets: number[];
  /** Inclusive [min, max] on annotation area: an area of exactly 32² counts as both small and medium. */
  areaRng: [number, number][];
  areaRngLbl: AreaLabel[];
}

/** numpy.linspace(start, stop, num) with endpoint=True, same floating-point steps. */
export function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  return Array.from({ length: num }, (_, i) => (i === num - 1 ? stop : i * step + start));
}

export function defaultParams(iouType: IouType): EvalParams {
  return {
    iouType,
    iouThrs: linspace(0.5, 0.95, 10),
    recThrs: linspace(0, 1, 101),
    maxDets: [1, 10, 100],
    areaRng: [
      [0, 1e10],
      [0, 32 ** 2],
      [32 ** 2, 96 ** 2],
      [96 ** 2, 1e10],
    ],
    areaRngLbl: ['all', 'small', 'medium', 'large'],
  };
}
