// The whole parameter set of a config, and the feature-extraction forward (body + FPN).
import type * as tf from '@tensorflow/tfjs-core';
import type { BackboneConfig, MaskRCNNConfig } from '../config/types';
import type { BackboneBody } from './backbone';
import { miniBody } from './backbone-mini';
import { resnetBody } from './backbone-resnet';
import { smallBody } from './backbone-small';
import { boxHeadSpecs } from './box-head';
import { fpnForward, fpnSpecs, type FpnFeatures } from './fpn';
import { maskHeadSpecs } from './mask-head';
import type { Params } from './params';
import { rpnHeadSpecs } from './rpn-head';
import type { ParamSpec } from './spec';

export function makeBody(cfg: BackboneConfig): BackboneBody {
  switch (cfg.kind) {
    case 'resnet50-fpn':
      return resnetBody(cfg);
    case 'mini':
      return miniBody(cfg);
    case 'small':
      return smallBody(cfg);
  }
}

/** Every parameter of the model in torchvision state_dict order. */
export function modelParamSpecs(cfg: MaskRCNNConfig, body: BackboneBody = makeBody(cfg.backbone)): ParamSpec[] {
  const c = cfg.fpn.outChannels;
  return [
    ...body.specs,
    ...fpnSpecs(body.outChannels, c),
    ...rpnHeadSpecs(c, cfg.anchors.aspectRatios.length),
    ...boxHeadSpecs(c, cfg.roiHeads.boxRoiPoolSize, cfg.roiHeads.representationSize, cfg.numClasses),
    ...maskHeadSpecs(c, cfg.maskHead.layers, cfg.maskHead.predictorChannels, cfg.numClasses),
  ];
}

/** Normalised, padded NHWC images → [P2, P3, P4, P5, P6]. */
export function extractFeatures(body: BackboneBody, p: Params, images: tf.Tensor4D): FpnFeatures {
  return fpnForward(p, body.forward(p, images));
}
