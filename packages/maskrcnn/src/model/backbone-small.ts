// A ResNet-18-style BasicBlock body for CPU training, with torchvision resnet18's key names (so
// channels [64,128,256,512], layers [2,2,2,2], stem 64 would load resnet18 weights). Stem 7×7/s2 +
// maxpool 3×3/s2 then four stages, the last three striding on their first block: C2–C5 at 4/8/16/32.
import * as tf from '@tensorflow/tfjs-core';
import type { SmallBackbone } from '../config/types';
import { applyTrainable, BODY_PREFIX, type BackboneBody, type BodyFeatures } from './backbone';
import { convBn, maxPool2d } from './layers';
import type { Params } from './params';
import { convSpecs, frozenBnSpecs, type ParamSpec } from './spec';

interface BasicBlockShape {
  name: string;
  inC: number;
  outC: number;
  stride: number;
  downsample: boolean;
  last: boolean;
}

export function smallBody(cfg: SmallBackbone): BackboneBody {
  const bs: BasicBlockShape[] = [];
  let inC = cfg.stemChannels;
  cfg.layers.forEach((n, i) => {
    const outC = cfg.channels[i] ?? 0;
    for (let j = 0; j < n; j++) {
      const stride = j === 0 && i > 0 ? 2 : 1;
      bs.push({ name: `${BODY_PREFIX}.layer${i + 1}.${j}`, inC, outC, stride, downsample: j === 0 && (stride !== 1 || inC !== outC), last: j === n - 1 });
      inC = outC;
    }
  });
  const specs: ParamSpec[] = [...convSpecs(`${BODY_PREFIX}.conv1`, cfg.stemChannels, 3, 7), ...frozenBnSpecs(`${BODY_PREFIX}.bn1`, cfg.stemChannels)];
  for (const b of bs) {
    specs.push(
      ...convSpecs(`${b.name}.conv1`, b.outC, b.inC, 3), ...frozenBnSpecs(`${b.name}.bn1`, b.outC),
      ...convSpecs(`${b.name}.conv2`, b.outC, b.outC, 3), ...frozenBnSpecs(`${b.name}.bn2`, b.outC),
    );
    if (b.downsample) specs.push(...convSpecs(`${b.name}.downsample.0`, b.outC, b.inC, 1), ...frozenBnSpecs(`${b.name}.downsample.1`, b.outC));
  }
  const forward = (p: Params, image: tf.Tensor4D): BodyFeatures => {
    let x = convBn(p, `${BODY_PREFIX}.conv1`, `${BODY_PREFIX}.bn1`, image, { stride: 2, padding: 3, relu: true });
    x = maxPool2d(x, 3, 2, 1);
    const feats: tf.Tensor4D[] = [];
    for (const b of bs) {
      const identity = b.downsample ? convBn(p, `${b.name}.downsample.0`, `${b.name}.downsample.1`, x, { stride: b.stride }) : x;
      let y = convBn(p, `${b.name}.conv1`, `${b.name}.bn1`, x, { stride: b.stride, padding: 1, relu: true });
      y = convBn(p, `${b.name}.conv2`, `${b.name}.bn2`, y, { padding: 1 });
      x = tf.relu(tf.add(y, identity)) as tf.Tensor4D;
      if (b.last) feats.push(x);
    }
    return feats as BodyFeatures;
  };
  return { specs: applyTrainable(specs, cfg.trainableLayers), outChannels: [...cfg.channels], forward };
}
