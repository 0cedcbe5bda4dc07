import type { BackboneConfig, DeepPartial, MaskRCNNConfig } from './types';
import { assertValidConfig } from './validate';

/** Defaults of each backbone kind, used when an override switches kinds. */
export const BACKBONE_DEFAULTS: { [K in BackboneConfig['kind']]: Extract<BackboneConfig, { kind: K }> } = {
  // resnet50(); _resnet_fpn_extractor(trainable_layers=3)
  'resnet50-fpn': { kind: 'resnet50-fpn', layers: [3, 4, 6, 3], widthPerGroup: 64, trainableLayers: 3 },
  mini: { kind: 'mini', channels: [32, 64, 128, 256], convsPerStage: 2, trainableLayers: 5 },
  small: { kind: 'small', stemChannels: 32, channels: [32, 64, 128, 256], layers: [1, 1, 1, 1], trainableLayers: 5 },
};

/** Exactly torchvision 0.14's maskrcnn_resnet50_fpn defaults (COCO: 91 classes incl. background). */
const torchvision: MaskRCNNConfig = {
  numClasses: 91,
  backbone: BACKBONE_DEFAULTS['resnet50-fpn'],
  transform: {
    minSize: 800,
    maxSize: 1333,
    imageMean: [0.485, 0.456, 0.406],
    imageStd: [0.229, 0.224, 0.225],
    sizeDivisible: 32,
  },
  fpn: { outChannels: 256 },
  // AnchorGenerator(((32,),(64,),(128,),(256,),(512,)), ((0.5,1.0,2.0),)*5)
  anchors: { sizes: [32, 64, 128, 256, 512], aspectRatios: [0.5, 1, 2] },
  rpn: {
    preNmsTopNTrain: 2000,
    preNmsTopNTest: 1000,
    postNmsTopNTrain: 2000,
    postNmsTopNTest: 1000,
    nmsThresh: 0.7,
    fgIouThresh: 0.7,
    bgIouThresh: 0.3,
    batchSizePerImage: 256,
    positiveFraction: 0.5,
    scoreThresh: 0,
    minBoxSize: 1e-3,
    boxCoderWeights: [1, 1, 1, 1],
    smoothL1Beta: 1 / 9,
  },
  roiHeads: {
    boxRoiPoolSize: 7,
    maskRoiPoolSize: 14,
    samplingRatio: 2,
    canonicalScale: 224,
    canonicalLevel: 4,
    representationSize: 1024,
    fgIouThresh: 0.5,
    bgIouThresh: 0.5,
    batchSizePerImage: 512,
    positiveFraction: 0.25,
    boxCoderWeights: [10, 10, 5, 5],
    smoothL1Beta: 1 / 9,
    scoreThresh: 0.05,
    nmsThresh: 0.5,
    detectionsPerImage: 100,
    minBoxSize: 1e-2,
  },
  maskHead: { layers: [256, 256, 256, 256], dilation: 1, predictorChannels: 256, maskThreshold: 0.5 },
};

/**
 * Small BasicBlock backbone and a ≈448 px short side for CPU fine-tuning. Anchors are halved with the
 * image scale (448/800) so objects keep roughly the same anchor coverage; 11 classes = the seed's 10 + bg.
 */
const cpuSmall: MaskRCNNConfig = {
  ...torchvision,
  numClasses: 11,
  backbone: BACKBONE_DEFAULTS.small,
  transform: { ...torchvision.transform, minSize: 448, maxSize: 768 },
  fpn: { outChannels: 96 },
  anchors: { sizes: [16, 32, 64, 128, 256], aspectRatios: [0.5, 1, 2] },
  rpn: { ...torchvision.rpn, preNmsTopNTrain: 1000, preNmsTopNTest: 500, postNmsTopNTrain: 1000, postNmsTopNTest: 500 },
  roiHeads: { ...torchvision.roiHeads, representationSize: 256, batchSizePerImage: 256 },
  maskHead: { ...torchvision.maskHead, layers: [96, 96, 96, 96], predictorChannels: 96 },
};

/** Seconds per step on CPU: the mini backbone at tiny widths and a 128 px short side. For tests. */
const tiny: MaskRCNNConfig = {
  ...torchvision,
  numClasses: 3,
  backbone: { kind: 'mini', channels: [8, 16, 32, 64], convsPerStage: 1, trainableLayers: 5 },
  transform: { ...torchvision.transform, minSize: 128, maxSize: 192 },
  fpn: { outChannels: 16 },
  anchors: { sizes: [8, 16, 32, 64, 128], aspectRatios: [0.5, 1, 2] },
  rpn: { ...torchvision.rpn, preNmsTopNTrain: 200, preNmsTopNTest: 100, postNmsTopNTrain: 100, postNmsTopNTest: 50 },
  roiHeads: { ...torchvision.roiHeads, representationSize: 32, batchSizePerImage: 64, detectionsPerImage: 20 },
  maskHead: { ...torchvision.maskHead, layers: [16, 16], predictorChannels: 16 },
};

/**
 * The torchvision-layout model of test/fixtures: Bottleneck [1,1,1,1], width_per_group 16, FPN 32,
 * TwoMLPHead 64, 4 classes, min/max size 160/256. Used for parity tests against torchvision.
 */
const torchvisionTiny: MaskRCNNConfig = {
  ...torchvision,
  numClasses: 4,
  backbone: { kind: 'resnet50-fpn', layers: [1, 1, 1, 1], widthPerGroup: 16, trainableLayers: 3 },
  transform: { ...torchvision.transform, minSize: 160, maxSize: 256 },
  fpn: { outChannels: 32 },
  roiHeads: { ...torchvision.roiHeads, representationSize: 64 },
  maskHead: { ...torchvision.maskHead, layers: [32, 32, 32, 32], predictorChannels: 32 },
};

export const PRESETS = {
  torchvision,
  'cpu-small': cpuSmall,
  tiny,
  'torchvision-tiny': torchvisionTiny,
} as const satisfies Record<string, MaskRCNNConfig>;

export type PresetName = keyof typeof PRESETS;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return structuredClone(base);
  if (!isPlainObject(base) || !isPlainObject(over)) return structuredClone(over);
  const out: Record<string, unknown> = { ...structuredClone(base) };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

/**
 * A preset with overrides applied, validated. Overrides merge deeply; arrays replace whole. Switching
 * backbone.kind starts from that kind's defaults rather than mixing fields of two kinds.
 */
export function makeConfig(preset: PresetName, overrides: DeepPartial<MaskRCNNConfig> = {}): MaskRCNNConfig {
  const base: MaskRCNNConfig | undefined = PRESETS[preset];
  if (base === undefined) throw new Error(`unknown preset "${String(preset)}"; known: ${Object.keys(PRESETS).join(', ')}`);
  const kind = overrides.backbone?.kind;
  const start: MaskRCNNConfig =
    kind !== undefined && kind !== base.backbone.kind && kind in BACKBONE_DEFAULTS
      ? { ...base, backbone: BACKBONE_DEFAULTS[kind] }
      : base;
  const cfg = merge(start, overrides) as MaskRCNNConfig;
  assertValidConfig(cfg);
  return cfg;
}
