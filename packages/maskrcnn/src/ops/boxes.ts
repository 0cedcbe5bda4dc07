// Box bookkeeping on [N, 4] row-major Float32Arrays of (x1, y1, x2, y2), with torchvision 0.14 semantics.

const f32 = Math.fround;

/** Clamps x to [0, width] and y to [0, height] (torchvision clip_boxes_to_image). Returns a new array. */
export function clipBoxesToImage(boxes: Float32Array, size: readonly [number, number]): Float32Array {
  const [h, w] = size;
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = Math.min(Math.max(boxes[i]!, 0), w);
    out[i + 1] = Math.min(Math.max(boxes[i + 1]!, 0), h);
    out[i + 2] = Math.min(Math.max(boxes[i + 2]!, 0), w);
    out[i + 3] = Math.min(Math.max(boxes[i + 3]!, 0), h);
  }
  return out;
}

/** Indices (ascending) of boxes whose width and height are both >= minSize (torchvision remove_small_boxes). */
export function removeSmallBoxes(boxes: Float32Array, minSize: number): Int32Array {
  const n = boxes.length / 4;
  const keep = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const w = f32(boxes[i * 4 + 2]! - boxes[i * 4]!);
    const h = f32(boxes[i * 4 + 3]! - boxes[i * 4 + 1]!);
    if (w >= minSize && h >= minSize) keep[k++] = i;
  }
  return keep.slice(0, k);
}

/** Area of each box, [N]. */
export function boxArea(boxes: Float32Array): Float32Array {
  const n = boxes.length / 4;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = f32(boxes[i * 4 + 2]! - boxes[i * 4]!) * f32(boxes[i * 4 + 3]! - boxes[i * 4 + 1]!);
  }
  return out;
}

/** Pairwise IoU, [N, M] row-major (torchvision box_iou). */
export function boxIou(a: Float32Array, b: Float32Array): Float32Array {
  const n = a.length / 4;
  const m = b.length / 4;
  const areaA = boxArea(a);
  const areaB = boxArea(b);
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    const ax1 = a[i * 4]!, ay1 = a[i * 4 + 1]!, ax2 = a[i * 4 + 2]!, ay2 = a[i * 4 + 3]!;
    const aa = areaA[i]!;
    for (let j = 0; j < m; j++) {
      const iw = f32(Math.min(ax2, b[j * 4 + 2]!) - Math.max(ax1, b[j * 4]!));
      const ih = f32(Math.min(ay2, b[j * 4 + 3]!) - Math.max(ay1, b[j * 4 + 1]!));
      const inter = f32(Math.max(iw, 0) * Math.max(ih, 0));
      out[i * m + j] = inter / f32(f32(aa + areaB[j]!) - inter);
    }
  }
  return out;
}

/** Rows of `boxes` at `indices`, as a new [K, 4] array. */
export function selectBoxes(boxes: Float32Array, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * 4);
  for (let i = 0; i < indices.length; i++) out.set(boxes.subarray(indices[i]! * 4, indices[i]! * 4 + 4), i * 4);
  return out;
}
