// tfjs-backend-wasm's Identity copies its input. tfjs's autodiff clones (Identity) every tensor a
// kernel saves for the backward pass and keeps the clones until the gradients are done, so saved
// activations existed twice: 584 MiB more at the peak of a `torchvision`-preset step at 512×512.
// Tensor data is never written after a kernel returns (variables get new data on assign), so sharing
// the buffer under a reference count, as tfjs's cpu backend and wasm's own Reshape do, is safe.
import * as tf from '@tensorflow/tfjs-core';
import { builtinKernel } from './builtin-kernels';

interface RefCounting {
  incRef(dataId: tf.DataId): void;
}

export const identityKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const x = inputs['x'] as tf.TensorInfo;
  if (x.dtype === 'string') {
    return builtinKernel('wasm', tf.Identity)({ inputs, backend, attrs });
  }
  (backend as RefCounting).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};
