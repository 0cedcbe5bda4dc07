// torchvision Matcher (0.14): each prediction gets the ground truth it overlaps most, or a negative code.
// Works on a row-major [M ground truths, N predictions] quality (IoU) matrix.

export const BELOW_LOW_THRESHOLD = -1;
export const BETWEEN_THRESHOLDS = -2;

export interface MatcherOptions {
  /** Quality >= this is a match. */
  highThreshold: number;
  /** Quality < this is BELOW_LOW_THRESHOLD; [low, high) is BETWEEN_THRESHOLDS. */
  lowThreshold: number;
  /**
   * The RPN's rescue of ground truths with no good anchor: for each ground truth every prediction
   * tying its best quality is matched (to that prediction's own best ground truth), whatever the
   * thresholds say. A ground truth overlapping nothing has best quality 0, so every prediction with
   * quality 0 for it is rescued — torchvision does that too.
   */
  allowLowQualityMatches?: boolean;
}

/**
 * Matched ground-truth index per prediction (Int32Array [N]), or BELOW_LOW_THRESHOLD /
 * BETWEEN_THRESHOLDS. Throws when there are no ground truths or no predictions, as torchvision.
 */
export function matchPredictions(quality: Float32Array, m: number, o: MatcherOptions): Int32Array {
  if (o.lowThreshold > o.highThreshold) throw new Error('matcher: lowThreshold must be <= highThreshold');
  if (m === 0) throw new Error('No ground-truth boxes available for one of the images during training');
  const n = quality.length / m;
  if (!Number.isInteger(n) || n === 0) throw new Error('No proposal boxes available for one of the images during training');
  // Column max over ground truths; the first maximum wins ties (torch.max on CPU).
  const best = new Int32Array(n);
  const bestVal = new Float32Array(n).fill(-Infinity);
  for (let g = 0; g < m; g++) {
    const row = g * n;
    for (let i = 0; i < n; i++) {
      const v = quality[row + i]!;
      if (v > bestVal[i]!) {
        bestVal[i] = v;
        best[i] = g;
      }
    }
  }
  // torch compares a float32 tensor with a Python float in float32: an IoU stored as f32(0.7) is >= 0.7
  const low = Math.fround(o.lowThreshold);
  const high = Math.fround(o.highThreshold);
  const matches = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = bestVal[i]!;
    matches[i] = v < low ? BELOW_LOW_THRESHOLD : v < high ? BETWEEN_THRESHOLDS : best[i]!;
  }
  if (o.allowLowQualityMatches) {
    for (let g = 0; g < m; g++) {
      const row = g * n;
      let top = -Infinity;
      for (let i = 0; i < n; i++) top = Math.max(top, quality[row + i]!);
      for (let i = 0; i < n; i++) if (quality[row + i] === top) matches[i] = best[i]!;
    }
  }
  return matches;
}
