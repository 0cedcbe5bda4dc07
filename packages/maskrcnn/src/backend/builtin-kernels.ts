import type * as tf from '@tensorflow/tfjs-core';

/**
 * The backends' own kernels that we replaced, keyed `backend/kernel`: replacements that only reshape
 * their inputs delegate to them, and benchmarks and tests compare against them.
 */
export const builtinKernels = new Map<string, tf.KernelFunc>();

/** The backend's own kernel that ours replaced; throws when it was never captured. */
export function builtinKernel(backend: string, kernel: string): tf.KernelFunc {
  const k = builtinKernels.get(`${backend}/${kernel}`);
  if (!k) throw new Error(`the ${backend} backend's own ${kernel} was not captured before it was replaced`);
  return k;
}
