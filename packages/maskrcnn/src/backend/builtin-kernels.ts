import type * as tf from '@tensorflow/tfjs-core';

/**
 * The backends' own kernels that we replaced, keyed `backend/kernel`: replacements that only reshape
 * their inputs delegate to them, and benchmarks and tests compare against them.
 */
export const builtinKernels = new Map<string, tf.KernelFunc>();
