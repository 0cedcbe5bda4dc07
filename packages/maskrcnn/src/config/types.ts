// The one typed configuration of the model. Field names follow DESIGN.md §4; each default is stated in
// presets.ts next to the torchvision argument it mirrors.

export type Quad = [number, number, number, number];
export type Triple = [number, number, number];

/** torchvision ResNet with Bottleneck blocks (v1.5: stride on the 3×3 conv) and frozen batch-norm. */
export interface ResNetFpnBackbone {
  kind: 'resnet50-fpn';
  /** Bottleneck blocks per stage; [3,4,6,3] is ResNet-50. */
  layers: Quad;
  /** torchvision's width_per_group: inner width of stage i is 64·2^i·widthPerGroup/64. */
  widthPerGroup: number;
  /** How many of layer4, layer3, layer2, layer1, conv1 are trained (0–5), as torchvision counts. */
  trainableLayers: number;
}

/**
 * The origin project's "mini" backbone: four plain conv-BN-ReLU stages, C2–C5 at strides 4/8/16/32.
 * Its source is not available; see model/backbone-mini.ts for the definition we assume.
 */
export interface MiniBackbone {
  kind: 'mini';
  /** Output channels of stages 1–4 (C2–C5). */
  channels: Quad;
  /** conv-BN-ReLU blocks per stage, the first of which strides. */
  convsPerStage: number;
  trainableLayers: number;
}

/** A ResNet-18-style BasicBlock net for CPU training; torchvision resnet18 key names. */
export interface SmallBackbone {
  kind: 'small';
  /** Stem width (conv1 7×7 s2 + maxpool). */
  stemChannels: number;
  /** Output channels of layer1–layer4 (C2–C5). */
  channels: Quad;
  /** BasicBlocks per stage; [2,2,2,2] with channels [64,128,256,512] is resnet18. */
  layers: Quad;
  trainableLayers: number;
}

export type BackboneConfig = ResNetFpnBackbone | MiniBackbone | SmallBackbone;

export interface TransformConfig {
  /** Short side after resizing (torchvision min_size). */
  minSize: number;
  /** Upper bound on the long side (max_size). */
  maxSize: number;
  imageMean: Triple;
  imageStd: Triple;
  /** The padded batch is a multiple of this (size_divisible). */
  sizeDivisible: number;
}

export interface FpnConfig {
  outChannels: number;
}

export interface AnchorConfig {
  /** One anchor size per FPN level P2–P6. */
  sizes: number[];
  /** Aspect ratios (h/w), the same on every level. */
  aspectRatios: number[];
}

export interface RpnConfig {
  preNmsTopNTrain: number;
  preNmsTopNTest: number;
  postNmsTopNTrain: number;
  postNmsTopNTest: number;
  nmsThresh: number;
  fgIouThresh: number;
  bgIouThresh: number;
  batchSizePerImage: number;
  positiveFraction: number;
  /** Objectness probability floor (torchvision score_thresh, 0). */
  scoreThresh: number;
  /** Proposals narrower or shorter than this are dropped (torchvision's fixed 1e-3). */
  minBoxSize: number;
  boxCoderWeights: Quad;
  smoothL1Beta: number;
}

export interface RoiHeadsConfig {
  /** RoIAlign output for the box head (7) and the mask head (14). */
  boxRoiPoolSize: number;
  maskRoiPoolSize: number;
  samplingRatio: number;
  /** Level mapping of MultiScaleRoIAlign: level = floor(k0 + log2(sqrt(area)/s0)). */
  canonicalScale: number;
  canonicalLevel: number;
  /** TwoMLPHead width. */
  representationSize: number;
  fgIouThresh: number;
  bgIouThresh: number;
  batchSizePerImage: number;
  positiveFraction: number;
  boxCoderWeights: Quad;
  smoothL1Beta: number;
  scoreThresh: number;
  nmsThresh: number;
  detectionsPerImage: number;
  /** Detections narrower or shorter than this are dropped (torchvision's fixed 1e-2). */
  minBoxSize: number;
}

export interface MaskHeadConfig {
  /** Output channels of the 3×3 convs of MaskRCNNHeads. */
  layers: number[];
  dilation: number;
  /** Channels of the transposed conv in MaskRCNNPredictor (dim_reduced). */
  predictorChannels: number;
  /** Probability at which pasted masks are binarised. */
  maskThreshold: number;
}

export interface MaskRCNNConfig {
  /** Classes including background (torchvision's num_classes; the seed passes num_classes+1). */
  numClasses: number;
  backbone: BackboneConfig;
  transform: TransformConfig;
  fpn: FpnConfig;
  anchors: AnchorConfig;
  rpn: RpnConfig;
  roiHeads: RoiHeadsConfig;
  maskHead: MaskHeadConfig;
}

/** Recursive partial for overrides; arrays are replaced whole. */
export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;
