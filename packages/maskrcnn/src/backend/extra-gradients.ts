// Gradients tfjs-core 4.22 does not define but a detection loss can meet on its tape. Without them
// tf.grad throws "gradient function not found" as soon as, say, a smooth-L1 written as
// where(less(|x|, β), …) or a gatherND sits between the loss and a variable. Gradients are global
// (not per backend), so these apply to every backend.
import * as tf from '@tensorflow/tfjs-core';

/**
 * Comparisons and logical ops are piecewise constant: zero gradient, as TensorFlow's NoGradient.
 * (GreaterEqual already has one in core.)
 */
const PIECEWISE_CONSTANT = [tf.Less, tf.LessEqual, tf.Greater, tf.Equal, tf.NotEqual, tf.LogicalAnd, tf.LogicalOr] as const;

function zeroGradient(kernelName: string, inputs: string[]): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: inputs,
    gradFunc: (_dy, saved) => Object.fromEntries(inputs.map((name, i) => [name, () => tf.zerosLike(saved[i]!)])),
  };
}

const GATHER_ND: tf.GradConfig = {
  kernelName: tf.GatherNd,
  inputsToSave: ['params', 'indices'],
  // gatherND reads params at the index tuples; its adjoint adds dy back there (duplicates sum)
  gradFunc: (dy, saved) => {
    const [params, indices] = saved as [tf.Tensor, tf.Tensor];
    return {
      params: () => tf.scatterND(indices, dy as tf.Tensor, params.shape),
      indices: () => indices,
    };
  },
};

const CONFIGS: readonly tf.GradConfig[] = [
  ...PIECEWISE_CONSTANT.map((k) => zeroGradient(k, ['a', 'b'])),
  zeroGradient(tf.LogicalNot, ['x']),
  GATHER_ND,
];

/** Kernel names that `registerMissingGradients` gives a gradient. */
export const EXTRA_GRADIENTS: readonly string[] = CONFIGS.map((c) => c.kernelName);

/** Idempotent; leaves any gradient that is already registered (e.g. by a newer tfjs) alone. */
export function registerMissingGradients(): void {
  for (const config of CONFIGS) {
    if (!tf.getGradient(config.kernelName)) tf.registerGradient(config);
  }
}
