// UnsortedSegmentSum for wasm (the gradient of gather; the backend has none). Pure bookkeeping:
// out[ids[i]] += x[i] over rows of x, done in one pass over the wasm heap.
import type { TensorInfo } from './wasm-internals';
import { asWasm } from './wasm-internals';
import * as tf from '@tensorflow/tfjs-core';

export const unsortedSegmentSumKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const b = asWasm(backend);
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const numSegments = (attrs ?? {})['numSegments'] as number;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum: unsupported dtype ${x.dtype}`);
  // segmentIds' shape is a prefix of x's shape; everything after it is one row
  const idRank = segmentIds.shape.length;
  const rowShape = x.shape.slice(idRank);
  const rowLen = tf.util.sizeFromShape(rowShape);
  const out = b.makeOutput([numSegments, ...rowShape], x.dtype);
  const dst = b.typedArrayFromHeap(out);
  const src = b.typedArrayFromHeap(x);
  const ids = b.typedArrayFromHeap(segmentIds);
  dst.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const seg = ids[i]!;
    // TensorFlow drops ids outside [0, numSegments)
    if (seg < 0 || seg >= numSegments) continue;
    const d = seg * rowLen;
    const s = i * rowLen;
    for (let k = 0; k < rowLen; k++) dst[d + k] = dst[d + k]! + src[s + k]!;
  }
  return out;
};
