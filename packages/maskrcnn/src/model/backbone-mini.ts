// The origin project's "mini" backbone. Its source is not available; what is known is four
// nn.Sequential stages of conv-BN-ReLU, each halving the resolution, feeding the FPN as C2–C5.
// ASSUMPTION (ours): every unit is Conv2d 3×3 (padding 1, no bias) → BatchNorm2d → ReLU; a stage has
// `convsPerStage` units, the first with stride 2; stage 1 starts with one extra stride-2 unit so
// that C2–C5 sit at strides 4/8/16/32 like ResNet's. Stage i is `backbone.body.layer{i}` and its
// Sequential indices follow torch: conv at 3u, BN at 3u+1 (ReLU at 3u+2 has no parameters).
import type * as tf from '@tensorflow/tfjs-core';
import type { MiniBackbone } from '../config/types';
import { applyTrainable, BODY_PREFIX, type BackboneBody, type BodyFeatures } from './backbone';
import { convBn } from './layers';
import type { Params } from './params';
import { convSpecs, frozenBnSpecs, type ParamSpec } from './spec';

interface Unit {
  conv: string;
  bn: string;
  inC: number;
  outC: number;
  stride: number;
}

export function miniBody(cfg: MiniBackbone): BackboneBody {
  const stages: Unit[][] = [];
  let inC = 3;
  cfg.channels.forEach((outC, i) => {
    const prefix = `${BODY_PREFIX}.layer${i + 1}`;
    const n = cfg.convsPerStage + (i === 0 ? 1 : 0);
    const units: Unit[] = [];
    for (let u = 0; u < n; u++) {
      const stride = u === 0 || (i === 0 && u === 1) ? 2 : 1;
      units.push({ conv: `${prefix}.${3 * u}`, bn: `${prefix}.${3 * u + 1}`, inC, outC, stride });
      inC = outC;
    }
    stages.push(units);
  });
  const specs: ParamSpec[] = stages.flat().flatMap((u) => [...convSpecs(u.conv, u.outC, u.inC, 3), ...frozenBnSpecs(u.bn, u.outC)]);
  const forward = (p: Params, image: tf.Tensor4D): BodyFeatures => {
    let x = image;
    const feats: tf.Tensor4D[] = [];
    for (const units of stages) {
      for (const u of units) x = convBn(p, u.conv, u.bn, x, { stride: u.stride, padding: 1, relu: true });
      feats.push(x);
    }
    return feats as BodyFeatures;
  };
  return { specs: applyTrainable(specs, cfg.trainableLayers), outChannels: [...cfg.channels], forward };
}
