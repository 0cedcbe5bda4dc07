// Mask R-CNN inference as torchvision's GeneralizedRCNN.forward in eval mode: transform → body + FPN →
// RPN proposals → box RoIAlign → box head → per-class post-processing → mask RoIAlign → mask head →
// boxes and pasted masks in original image coordinates. Tensor work stays on the backend; the
// data-dependent bookkeeping (top-n, NMS, thresholds) runs on typed arrays.
import * as tf from '@tensorflow/tfjs-core';
import type { MaskRCNNConfig } from '../config/types';
import { generateAnchors } from '../ops/anchors';
import { multiScaleRoiAlign } from '../ops/multi-scale-roi-align';
import { pasteMasksInImage } from '../ops/paste-masks';
import { resizeBoxes, transformImages, type Size } from '../ops/transform';
import type { BackboneBody } from './backbone';
import { boxHeadForward } from './box-head';
import { selectDetections, type Detections } from './detections';
import type { FpnFeatures } from './fpn';
import { maskHeadForward } from './mask-head';
import { extractFeatures } from './network';
import type { Params } from './params';
import { selectProposals, type Proposals } from './proposals';
import { rpnHeadForward } from './rpn-head';

export interface Network {
  cfg: MaskRCNNConfig;
  body: BackboneBody;
  params: Params;
}

export interface ImageDetections extends Detections {
  /** Mask probabilities pasted into the original image, [K, height, width]; binarise at cfg.maskHead.maskThreshold. */
  masks: Float32Array;
  height: number;
  width: number;
}

/** Intermediate results in resized-image coordinates, for parity checks against torchvision. */
export interface InferenceTrace {
  batchShape: [number, number, number, number];
  imageSizes: Size[];
  proposals: Proposals[];
  /** Detections before mapping back to the original size. */
  detections: Detections[];
  /** Per detection, the 28×28 mask probabilities of its class, [K, M, M]. */
  maskProbs: Float32Array[];
}

export interface InferenceOutput {
  results: ImageDetections[];
  trace: InferenceTrace;
}

function anchorsFor(cfg: MaskRCNNConfig, batch: tf.Tensor4D, feats: FpnFeatures) {
  const n = feats.length;
  if (cfg.anchors.sizes.length !== n) throw new Error(`anchors.sizes has ${cfg.anchors.sizes.length} entries for ${n} FPN levels`);
  return generateAnchors(
    { sizes: cfg.anchors.sizes.map((s) => [s]), aspectRatios: cfg.anchors.sizes.map(() => cfg.anchors.aspectRatios) },
    [batch.shape[1], batch.shape[2]],
    feats.map((f) => [f.shape[1], f.shape[2]] as [number, number]),
  );
}

/** Consecutive row blocks of a [ΣK, width] array, one per image. */
function splitRows(data: Float32Array, counts: number[], width: number): Float32Array[] {
  let start = 0;
  return counts.map((c) => {
    const part = data.subarray(start * width, (start + c) * width);
    start += c;
    return part;
  });
}

/** Detects objects in [H, W, 3] float images with values in [0, 1]. Inputs are not disposed. */
export async function runInference(net: Network, images: readonly tf.Tensor3D[]): Promise<InferenceOutput> {
  const { cfg, body, params } = net;
  const batch = transformImages(images, cfg.transform);
  const feats = tf.tidy(() => extractFeatures(body, params, batch.images));
  const roiLevels = feats.slice(0, 4) as tf.Tensor4D[]; // MultiScaleRoIAlign uses '0'..'3', not 'pool'
  const roiOpts = { samplingRatio: cfg.roiHeads.samplingRatio, canonicalScale: cfg.roiHeads.canonicalScale, canonicalLevel: cfg.roiHeads.canonicalLevel };
  try {
    // RPN
    const rpn = tf.tidy(() => {
      const r = rpnHeadForward(params, feats);
      return [r.objectness, r.deltas] as const;
    });
    const [logits, deltas] = (await Promise.all(rpn.map((t) => t.data()))) as [Float32Array, Float32Array];
    tf.dispose([...rpn]);
    const headPerLevel = feats.map((f) => f.shape[1] * f.shape[2] * cfg.anchors.aspectRatios.length);
    const anchors = anchorsFor(cfg, batch.images, feats);
    if (anchors.perLevel.some((n, i) => n !== headPerLevel[i])) throw new Error('anchors and RPN head disagree on anchors per level');
    const a = anchors.boxes.length / 4;
    const proposals = batch.imageSizes.map((size, i) =>
      selectProposals(logits.subarray(i * a, (i + 1) * a), deltas.subarray(i * a * 4, (i + 1) * a * 4), anchors.boxes, anchors.perLevel, size, {
        preNmsTopN: cfg.rpn.preNmsTopNTest,
        postNmsTopN: cfg.rpn.postNmsTopNTest,
        nmsThresh: cfg.rpn.nmsThresh,
        scoreThresh: cfg.rpn.scoreThresh,
        minBoxSize: cfg.rpn.minBoxSize,
        boxCoderWeights: cfg.rpn.boxCoderWeights,
      }),
    );

    // Box head
    const c = cfg.numClasses;
    const head = tf.tidy(() => {
      const pooled = multiScaleRoiAlign(roiLevels, proposals.map((p) => p.boxes), batch.imageSizes, { ...roiOpts, outputSize: cfg.roiHeads.boxRoiPoolSize });
      const out = boxHeadForward(params, pooled);
      return { probs: tf.softmax(out.classLogits), deltas: out.boxDeltas };
    });
    const [probs, boxDeltas] = await Promise.all([head.probs.data(), head.deltas.data()]) as [Float32Array, Float32Array];
    tf.dispose([head.probs, head.deltas]);
    const counts = proposals.map((p) => p.scores.length);
    const probRows = splitRows(probs, counts, c);
    const deltaRows = splitRows(boxDeltas, counts, c * 4);
    const detections = proposals.map((p, i) =>
      selectDetections(probRows[i]!, deltaRows[i]!, p.boxes, c, batch.imageSizes[i]!, {
        scoreThresh: cfg.roiHeads.scoreThresh,
        nmsThresh: cfg.roiHeads.nmsThresh,
        detectionsPerImage: cfg.roiHeads.detectionsPerImage,
        minBoxSize: cfg.roiHeads.minBoxSize,
        boxCoderWeights: cfg.roiHeads.boxCoderWeights,
      }),
    );

    // Mask head: the class channel of each detection, as maskrcnn_inference.
    const k = detections.reduce((s, d) => s + d.scores.length, 0);
    const m = 2 * cfg.roiHeads.maskRoiPoolSize;
    let maskAll: Float32Array = new Float32Array(0);
    if (k > 0) {
      const labels = Int32Array.from(detections.flatMap((d) => Array.from(d.labels)));
      const maskT = tf.tidy(() => {
        const pooled = multiScaleRoiAlign(roiLevels, detections.map((d) => d.boxes), batch.imageSizes, { ...roiOpts, outputSize: cfg.roiHeads.maskRoiPoolSize });
        const logitsT = maskHeadForward(params, pooled, cfg.maskHead.layers.length, cfg.maskHead.dilation);
        const onehot = tf.reshape(tf.oneHot(tf.tensor1d(labels, 'int32'), c), [k, 1, 1, c]);
        return tf.sigmoid(tf.sum(tf.mul(logitsT, onehot), 3));
      });
      maskAll = (await maskT.data()) as Float32Array;
      maskT.dispose();
    }
    const maskProbs = splitRows(maskAll, detections.map((d) => d.scores.length), m * m);

    const results = detections.map((d, i): ImageDetections => {
      const [height, width] = batch.originalSizes[i]!;
      const boxes = resizeBoxes(d.boxes, batch.imageSizes[i]!, [height, width]);
      return { boxes, scores: d.scores, labels: d.labels, masks: pasteMasksInImage(maskProbs[i]!, m, boxes, [height, width]), height, width };
    });
    const s = batch.images.shape;
    return { results, trace: { batchShape: [s[0], s[1], s[2], s[3]], imageSizes: batch.imageSizes, proposals, detections, maskProbs } };
  } finally {
    tf.dispose([batch.images, ...feats]);
  }
}
