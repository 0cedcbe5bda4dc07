// Non-maximum suppression with torchvision 0.14's CPU semantics:
// - boxes are visited by score descending; ties keep index order (torchvision sorts with stable=true),
// - a box is suppressed when IoU > threshold with an already kept box,
// - IoU is computed in float32 from float32 areas, as the C++ kernel does,
// - kept indices come back in visiting order (score descending).
// The work happens on typed arrays copied once into score order; no per-box allocations.

const f32 = Math.fround;

/** Indices 0..n-1 sorted by score descending, ties by ascending index (a stable descending sort). */
export function argsortDescending(scores: ArrayLike<number>, n: number = scores.length): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return order;
}

/**
 * torchvision.ops.nms. `boxes` [N, 4] (x1, y1, x2, y2), `scores` [N]. Returns kept indices, score descending.
 * `offsets` (optional, [N]) is added to every coordinate first: the batched coordinate trick.
 */
export function nms(
  boxes: Float32Array,
  scores: ArrayLike<number>,
  iouThreshold: number,
  offsets?: Float32Array,
): Int32Array {
  const n = boxes.length / 4;
  const order = argsortDescending(scores, n);
  const x1 = new Float32Array(n), y1 = new Float32Array(n), x2 = new Float32Array(n), y2 = new Float32Array(n);
  const area = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    const off = offsets ? offsets[i]! : 0;
    x1[r] = boxes[i * 4]! + off;
    y1[r] = boxes[i * 4 + 1]! + off;
    x2[r] = boxes[i * 4 + 2]! + off;
    y2[r] = boxes[i * 4 + 3]! + off;
    area[r] = f32(x2[r]! - x1[r]!) * f32(y2[r]! - y1[r]!);
  }
  const suppressed = new Uint8Array(n);
  const keep = new Int32Array(n);
  let k = 0;
  for (let r = 0; r < n; r++) {
    if (suppressed[r]) continue;
    keep[k++] = order[r]!;
    const ix1 = x1[r]!, iy1 = y1[r]!, ix2 = x2[r]!, iy2 = y2[r]!, ia = area[r]!;
    for (let s = r + 1; s < n; s++) {
      if (suppressed[s]) continue;
      const w = Math.max(0, f32(Math.min(ix2, x2[s]!) - Math.max(ix1, x1[s]!)));
      const h = Math.max(0, f32(Math.min(iy2, y2[s]!) - Math.max(iy1, y1[s]!)));
      const inter = f32(w * h);
      if (f32(inter / f32(f32(ia + area[s]!) - inter)) > iouThreshold) suppressed[s] = 1;
    }
  }
  return keep.slice(0, k);
}

/**
 * torchvision.ops.batched_nms: NMS independently per category `idxs`. Like torchvision on the CPU it
 * uses the coordinate-offset trick (boxes shifted by idx * (max coordinate + 1), in float32) up to
 * 1000 boxes and a per-category loop above that; both return indices by score descending.
 */
export function batchedNms(
  boxes: Float32Array,
  scores: ArrayLike<number>,
  idxs: ArrayLike<number>,
  iouThreshold: number,
): Int32Array {
  const n = boxes.length / 4;
  if (n === 0) return new Int32Array(0);
  if (boxes.length <= 4000) {
    let max = -Infinity;
    for (let i = 0; i < boxes.length; i++) if (boxes[i]! > max) max = boxes[i]!;
    const step = f32(max + 1);
    const offsets = new Float32Array(n);
    for (let i = 0; i < n; i++) offsets[i] = f32(idxs[i]! * step);
    return nms(boxes, scores, iouThreshold, offsets);
  }
  return batchedNmsPerCategory(boxes, scores, idxs, iouThreshold);
}

function batchedNmsPerCategory(
  boxes: Float32Array,
  scores: ArrayLike<number>,
  idxs: ArrayLike<number>,
  iouThreshold: number,
): Int32Array {
  const n = boxes.length / 4;
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const c = idxs[i]!;
    const list = members.get(c);
    if (list) list.push(i);
    else members.set(c, [i]);
  }
  const kept = new Uint8Array(n);
  for (const list of members.values()) {
    const sub = new Float32Array(list.length * 4);
    const subScores = new Float32Array(list.length);
    list.forEach((i, j) => {
      sub.set(boxes.subarray(i * 4, i * 4 + 4), j * 4);
      subScores[j] = scores[i]!;
    });
    for (const j of nms(sub, subScores, iouThreshold)) kept[list[j]!] = 1;
  }
  let count = 0;
  for (let i = 0; i < n; i++) count += kept[i]!;
  const keep = new Int32Array(count);
  const keepScores = new Float32Array(count);
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (kept[i]) {
      keepScores[k] = scores[i]!;
      keep[k++] = i;
    }
  }
  const order = argsortDescending(keepScores);
  return order.map((j) => keep[j]!);
}
