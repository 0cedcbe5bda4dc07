// torchvision ResNet with Bottleneck blocks (ResNet v1.5: the stride sits on the 3×3 conv) and
// FrozenBatchNorm2d, as used by maskrcnn_resnet50_fpn. Returns layer1–layer4 outputs as C2–C5.
import * as tf from '@tensorflow/tfjs-core';
import type { Quad, ResNetFpnBackbone } from '../config/types';
import { applyTrainable, BODY_PREFIX, type BackboneBody, type BodyFeatures } from './backbone';
import { convBn, maxPool2d } from './layers';
import type { Params } from './params';
import { convSpecs, frozenBnSpecs, type ParamSpec } from './spec';

const EXPANSION = 4;
const STEM = 64;

interface BlockShape {
  name: string;
  inC: number;
  width: number;
  outC: number;
  stride: number;
  downsample: boolean;
}

function blocks(cfg: ResNetFpnBackbone): BlockShape[] {
  const out: BlockShape[] = [];
  let inC = STEM;
  cfg.layers.forEach((n, i) => {
    const planes = 64 * 2 ** i;
    const width = Math.floor(planes * (cfg.widthPerGroup / 64));
    const outC = planes * EXPANSION;
    for (let j = 0; j < n; j++) {
      const stride = j === 0 && i > 0 ? 2 : 1;
      out.push({ name: `${BODY_PREFIX}.layer${i + 1}.${j}`, inC, width, outC, stride, downsample: j === 0 && (stride !== 1 || inC !== outC) });
      inC = outC;
    }
  });
  return out;
}

function stageEnds(cfg: ResNetFpnBackbone): Set<number> {
  const ends = new Set<number>();
  let acc = 0;
  for (const n of cfg.layers) ends.add((acc += n) - 1);
  return ends;
}

export function resnetBody(cfg: ResNetFpnBackbone): BackboneBody {
  const bs = blocks(cfg);
  const ends = stageEnds(cfg);
  const specs: ParamSpec[] = [...convSpecs(`${BODY_PREFIX}.conv1`, STEM, 3, 7), ...frozenBnSpecs(`${BODY_PREFIX}.bn1`, STEM)];
  for (const b of bs) {
    specs.push(
      ...convSpecs(`${b.name}.conv1`, b.width, b.inC, 1), ...frozenBnSpecs(`${b.name}.bn1`, b.width),
      ...convSpecs(`${b.name}.conv2`, b.width, b.width, 3), ...frozenBnSpecs(`${b.name}.bn2`, b.width),
      ...convSpecs(`${b.name}.conv3`, b.outC, b.width, 1), ...frozenBnSpecs(`${b.name}.bn3`, b.outC),
    );
    if (b.downsample) specs.push(...convSpecs(`${b.name}.downsample.0`, b.outC, b.inC, 1), ...frozenBnSpecs(`${b.name}.downsample.1`, b.outC));
  }
  const outChannels = cfg.layers.map((_, i) => 64 * 2 ** i * EXPANSION) as Quad;

  const forward = (p: Params, image: tf.Tensor4D): BodyFeatures => {
    let x = convBn(p, `${BODY_PREFIX}.conv1`, `${BODY_PREFIX}.bn1`, image, { stride: 2, padding: 3, relu: true });
    x = maxPool2d(x, 3, 2, 1);
    const feats: tf.Tensor4D[] = [];
    bs.forEach((b, idx) => {
      // One scope per block: its intermediates go as soon as the block is done, so the peak is one
      // block's activations, not the whole body's (at 800×1066 that is GBs on wasm's 4 GB heap).
      // Tensors the gradient tape needs are kept clones, so this is safe under tf.grad too.
      const prev = x;
      x = tf.tidy(() => {
        const identity = b.downsample ? convBn(p, `${b.name}.downsample.0`, `${b.name}.downsample.1`, prev, { stride: b.stride }) : prev;
        let y = convBn(p, `${b.name}.conv1`, `${b.name}.bn1`, prev, { relu: true });
        y = convBn(p, `${b.name}.conv2`, `${b.name}.bn2`, y, { stride: b.stride, padding: 1, relu: true });
        y = convBn(p, `${b.name}.conv3`, `${b.name}.bn3`, y);
        return tf.relu(tf.add(y, identity)) as tf.Tensor4D;
      });
      if (prev !== image && !feats.includes(prev)) prev.dispose();
      if (ends.has(idx)) feats.push(x);
    });
    return feats as BodyFeatures;
  };
  return { specs: applyTrainable(specs, cfg.trainableLayers), outChannels, forward };
}
