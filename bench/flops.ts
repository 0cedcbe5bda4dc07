// Multiply-add counts (reported as FLOPs = 2 × MACs) of Mask R-CNN inference with the ResNet-50-FPN
// backbone, per stage, from the configuration alone (the box head for the proposals passed in, which
// callers give as rpn.postNmsTopNTest, an upper bound) — what a stage computes, to set
// measured times against kernel throughput. Element-wise work (batch-norm folds away, ReLU, adds,
// RoIAlign, NMS, pasting) is left out: it is small next to these and bounded by memory, not arithmetic.
import { resizedSize, type MaskRCNNConfig } from '@segmenta/maskrcnn';

export interface StageFlops {
  backbone: number;
  fpn: number;
  rpnHead: number;
  boxHead: number;
  maskHead: number;
}

const conv = (h: number, w: number, cin: number, cout: number, k: number) => 2 * h * w * cin * cout * k * k;
const down = (n: number) => Math.ceil(n / 2);

/** The padded input size the network sees for an H×W image. */
export function networkInput(cfg: MaskRCNNConfig, height: number, width: number): [number, number] {
  const [h, w] = resizedSize(height, width, cfg.transform.minSize, cfg.transform.maxSize);
  const d = cfg.transform.sizeDivisible;
  return [Math.ceil(h / d) * d, Math.ceil(w / d) * d];
}

/**
 * `proposals`: RoIs entering the box head (rpn.postNmsTopNTest at most); `detections`: boxes entering
 * the mask head (roiHeads.detectionsPerImage at most).
 */
export function inferenceFlops(cfg: MaskRCNNConfig, height: number, width: number, proposals: number, detections: number): StageFlops {
  if (cfg.backbone.kind !== 'resnet50-fpn') throw new Error(`FLOP counts are written for the resnet50-fpn backbone, not ${cfg.backbone.kind}`);
  const [H, W] = networkInput(cfg, height, width);
  const { layers, widthPerGroup } = cfg.backbone;
  let h = down(H);
  let w = down(W);
  let backbone = conv(h, w, 3, 64, 7); // stem, stride 2
  h = down(h);
  w = down(w); // max-pool
  let inC = 64;
  const levels: [number, number, number][] = [];
  for (let stage = 0; stage < 4; stage++) {
    const width_ = widthPerGroup * 2 ** stage;
    const outC = width_ * 4;
    for (let b = 0; b < layers[stage]!; b++) {
      const stride = b === 0 && stage > 0 ? 2 : 1;
      const [ho, wo] = stride === 2 ? [down(h), down(w)] : [h, w];
      backbone += conv(h, w, inC, width_, 1) + conv(ho, wo, width_, width_, 3) + conv(ho, wo, width_, outC, 1);
      if (b === 0) backbone += conv(ho, wo, inC, outC, 1); // downsample
      [h, w, inC] = [ho, wo, outC];
    }
    levels.push([h, w, outC]);
  }
  const c = cfg.fpn.outChannels;
  const fpn = levels.reduce((s, [lh, lw, lc]) => s + conv(lh, lw, lc, c, 1) + conv(lh, lw, c, c, 3), 0);
  // P2–P5 plus P6 (a stride-2 max-pool of P5) feed the RPN head.
  const [h5, w5] = levels[3]!;
  const rpnLevels = [...levels.map(([lh, lw]) => [lh, lw] as const), [down(h5), down(w5)] as const];
  const a = cfg.anchors.aspectRatios.length;
  const rpnHead = rpnLevels.reduce((s, [lh, lw]) => s + conv(lh, lw, c, c, 3) + conv(lh, lw, c, a, 1) + conv(lh, lw, c, 4 * a, 1), 0);
  const r = cfg.roiHeads.representationSize;
  const p = cfg.roiHeads.boxRoiPoolSize;
  const n = cfg.numClasses;
  const boxHead = proposals * 2 * (c * p * p * r + r * r + r * n + r * 4 * n);
  const m = cfg.roiHeads.maskRoiPoolSize;
  let maskC = c;
  let maskHead = 0;
  for (const out of cfg.maskHead.layers) {
    maskHead += conv(m, m, maskC, out, 3);
    maskC = out;
  }
  // ConvTranspose2d 2×2 stride 2 (each input pixel meets each kernel tap once), then the 1×1 predictor at 2m.
  maskHead += conv(m, m, maskC, cfg.maskHead.predictorChannels, 2) + conv(2 * m, 2 * m, cfg.maskHead.predictorChannels, n, 1);
  maskHead *= detections;
  return { backbone, fpn, rpnHead, boxHead, maskHead };
}
