// Inference side of torchvision's GeneralizedRCNNTransform (0.14) on NHWC tensors: normalise, resize,
// pad the batch, and map boxes back to the original image size.
import * as tf from '@tensorflow/tfjs-core';

const f32 = Math.fround;

export const IMAGENET_MEAN: readonly number[] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly number[] = [0.229, 0.224, 0.225];

export interface TransformConfig {
  /** Target length of the short side (torchvision min_size; the last one at inference). */
  minSize: number;
  /** Cap on the long side (torchvision max_size). */
  maxSize: number;
  imageMean?: readonly number[];
  imageStd?: readonly number[];
  /** The padded batch is a multiple of this on both axes (default 32). */
  sizeDivisible?: number;
}

export type Size = [number, number];

/**
 * Output (height, width) of torchvision's resize: scale = min(minSize / short, maxSize / long), then
 * floor(dim * scale) (interpolate with recompute_scale_factor=True). `python_float / float32_tensor`
 * is evaluated by torch as reciprocal(tensor) * python_float in float32; that rounding is why a
 * 427 x 640 image becomes 799 x 1199 while 480 x 640 becomes 800 x 1066.
 */
export function resizedSize(height: number, width: number, minSize: number, maxSize: number): Size {
  const byShort = f32(f32(1 / Math.min(height, width)) * minSize);
  const byLong = f32(f32(1 / Math.max(height, width)) * maxSize);
  const scale = Math.min(byShort, byLong);
  return [Math.floor(height * scale), Math.floor(width * scale)];
}

/** (image - mean) / std per channel; image [H, W, C] or [N, H, W, C] with values in [0, 1]. */
export function normalizeImage<T extends tf.Tensor3D | tf.Tensor4D>(
  image: T,
  mean: readonly number[] = IMAGENET_MEAN,
  std: readonly number[] = IMAGENET_STD,
): T {
  return tf.tidy(() => tf.div(tf.sub(image, tf.tensor1d(mean as number[])), tf.tensor1d(std as number[])) as T);
}

/** Bilinear resize with align_corners=False semantics (half-pixel centres), as torch's interpolate. */
export function resizeImage(image: tf.Tensor3D, size: Size): tf.Tensor3D {
  if (image.shape[0] === size[0] && image.shape[1] === size[1]) return tf.clone(image);
  return tf.image.resizeBilinear(image, size, false, true);
}

/** Zero-pads every image at the bottom/right to the batch maximum rounded up to `sizeDivisible`. */
export function batchImages(images: readonly tf.Tensor3D[], sizeDivisible = 32): tf.Tensor4D {
  if (images.length === 0) throw new Error('batchImages: no images');
  const maxH = Math.max(...images.map((i) => i.shape[0]));
  const maxW = Math.max(...images.map((i) => i.shape[1]));
  const h = Math.ceil(maxH / sizeDivisible) * sizeDivisible;
  const w = Math.ceil(maxW / sizeDivisible) * sizeDivisible;
  return tf.tidy(() =>
    tf.stack(
      images.map((img) => tf.pad(img, [[0, h - img.shape[0]], [0, w - img.shape[1]], [0, 0]])),
    ) as tf.Tensor4D,
  );
}

export interface TransformedBatch {
  /** [N, H_pad, W_pad, C] normalised, resized, padded. */
  images: tf.Tensor4D;
  /** Resized size of each image before padding (torchvision image_sizes). */
  imageSizes: Size[];
  /** Input size of each image, for {@link resizeBoxes} back to the original. */
  originalSizes: Size[];
}

/** Normalise, resize and batch [H, W, C] float images in [0, 1]. The inputs are not disposed. */
export function transformImages(images: readonly tf.Tensor3D[], cfg: TransformConfig): TransformedBatch {
  const originalSizes = images.map((i) => [i.shape[0], i.shape[1]] as Size);
  const imageSizes = originalSizes.map(([h, w]) => resizedSize(h, w, cfg.minSize, cfg.maxSize));
  const batch = tf.tidy(() => {
    const resized = images.map((img, i) =>
      resizeImage(normalizeImage(img, cfg.imageMean, cfg.imageStd), imageSizes[i]!),
    );
    return batchImages(resized, cfg.sizeDivisible ?? 32);
  });
  return { images: batch, imageSizes, originalSizes };
}

/**
 * Scales boxes [K, 4] from an image of size `from` to size `to` (torchvision resize_boxes: float32
 * ratios new / old per axis). Used for targets on the way in and detections on the way out.
 */
export function resizeBoxes(boxes: Float32Array, from: Size, to: Size): Float32Array {
  const rh = f32(to[0] / from[0]);
  const rw = f32(to[1] / from[1]);
  const out = new Float32Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    out[i] = boxes[i]! * rw;
    out[i + 1] = boxes[i + 1]! * rh;
    out[i + 2] = boxes[i + 2]! * rw;
    out[i + 3] = boxes[i + 3]! * rh;
  }
  return out;
}
