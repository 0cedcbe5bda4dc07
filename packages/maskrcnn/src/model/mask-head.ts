// MaskRCNNHeads (3×3 conv + ReLU stack) and MaskRCNNPredictor (2×2/s2 transposed conv + ReLU, 1×1 logits).
import type * as tf from '@tensorflow/tfjs-core';
import { convBias, convTransposeKernelEqStride } from './layers';
import type { Params } from './params';
import { convSpecs, defaultBias, kaimingNormalFanOutRelu, zeros, type ParamSpec } from './spec';

const H = 'roi_heads';

export function maskHeadSpecs(inChannels: number, layers: readonly number[], predictorChannels: number, numClasses: number): ParamSpec[] {
  const specs: ParamSpec[] = [];
  let c = inChannels;
  layers.forEach((out, i) => {
    specs.push(...convSpecs(`${H}.mask_head.${i}.0`, out, c, 3, { biasInit: () => zeros }));
    c = out;
  });
  // MaskRCNNPredictor re-initialises only weights; biases keep PyTorch's default.
  const tShape = [c, predictorChannels, 2, 2];
  specs.push(
    { name: `${H}.mask_predictor.conv5_mask.weight`, torchShape: tShape, layout: { kind: 'conv-transpose' }, init: kaimingNormalFanOutRelu(tShape), trainable: true },
    { name: `${H}.mask_predictor.conv5_mask.bias`, torchShape: [predictorChannels], layout: { kind: 'vector' }, init: defaultBias(tShape), trainable: true },
    ...convSpecs(`${H}.mask_predictor.mask_fcn_logits`, numClasses, predictorChannels, 1, { biasInit: defaultBias }),
  );
  return specs;
}

/** `roiFeatures`: [R, 14, 14, C] → per-class mask logits [R, 28, 28, numClasses]. */
export function maskHeadForward(p: Params, roiFeatures: tf.Tensor4D, numLayers: number, dilation = 1): tf.Tensor4D {
  let x = roiFeatures;
  for (let i = 0; i < numLayers; i++) x = convBias(p, `${H}.mask_head.${i}.0`, x, { padding: dilation, dilation, relu: true });
  x = convTransposeKernelEqStride(
    x,
    p.get(`${H}.mask_predictor.conv5_mask.weight`) as tf.Tensor4D,
    p.get(`${H}.mask_predictor.conv5_mask.bias`) as tf.Tensor1D,
    true,
  );
  return convBias(p, `${H}.mask_predictor.mask_fcn_logits`, x);
}
