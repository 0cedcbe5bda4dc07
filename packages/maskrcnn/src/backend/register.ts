// Registers the kernels that training needs on tfjs-backend-wasm 4.22 (the ones it lacks, a faster
// Conv2DBackpropInput, a correct MaxPoolGrad, an Identity that shares instead of copying) plus a cpu
// fix, so gradients agree across backends.
// Call after importing the backends: importing a backend module registers its own kernels and
// would overwrite ours if it came later.
import * as tf from '@tensorflow/tfjs-core';
import { arrayKernel } from './array-kernel';
import { batchMatMulKernel } from './batch-matmul';
import { builtinKernels } from './builtin-kernels';
import { conv2DBackpropFilterKernel } from './conv-backprop-filter';
import { conv2DBackpropInputKernel } from './conv-backprop-input';
import { identityKernel } from './identity';
import { maxPoolGradCompute } from './max-pool-grad';
import { resizeNearestGradCompute } from './resize-nearest-grad';
import { unsortedSegmentSumKernel } from './unsorted-segment-sum';

interface Entry { kernelName: string; backendName: 'wasm' | 'cpu'; kernelFunc: tf.KernelFunc }

const ENTRIES: readonly Entry[] = [
  { kernelName: tf.Conv2DBackpropInput, backendName: 'wasm', kernelFunc: conv2DBackpropInputKernel },
  { kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilterKernel },
  { kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: unsortedSegmentSumKernel },
  { kernelName: tf.BatchMatMul, backendName: 'wasm', kernelFunc: batchMatMulKernel },
  { kernelName: tf.Identity, backendName: 'wasm', kernelFunc: identityKernel },
  { kernelName: tf.MaxPoolGrad, backendName: 'wasm', kernelFunc: arrayKernel('wasm', maxPoolGradCompute) },
  { kernelName: tf.ResizeNearestNeighborGrad, backendName: 'wasm', kernelFunc: arrayKernel('wasm', resizeNearestGradCompute) },
  { kernelName: tf.ResizeNearestNeighborGrad, backendName: 'cpu', kernelFunc: arrayKernel('cpu', resizeNearestGradCompute) },
];

/** Kernel names that `registerWasmTrainingKernels` adds to (or replaces on) the `wasm` backend. */
export const WASM_TRAINING_KERNELS: readonly string[] =
  ENTRIES.filter((e) => e.backendName === 'wasm').map((e) => e.kernelName);

/** Kernel names it replaces on the `cpu` backend (upstream bugs). */
export const CPU_KERNEL_FIXES: readonly string[] =
  ENTRIES.filter((e) => e.backendName === 'cpu').map((e) => e.kernelName);

export { builtinKernels };

/** Idempotent. Replaces existing registrations, remembering the built-in ones the first time. */
export function registerWasmTrainingKernels(): void {
  for (const { kernelName, backendName, kernelFunc } of ENTRIES) {
    const existing = tf.getKernel(kernelName, backendName);
    if (existing?.kernelFunc === kernelFunc) continue;
    const key = `${backendName}/${kernelName}`;
    if (existing) {
      if (!builtinKernels.has(key)) builtinKernels.set(key, existing.kernelFunc);
      tf.unregisterKernel(kernelName, backendName);
    }
    tf.registerKernel({ kernelName, backendName, kernelFunc });
  }
}
