import * as tf from '@tensorflow/tfjs-core';

// Backend choice (DESIGN.md §5): the native TensorFlow binding when it is installed and loads (it is
// an optional dependency that cannot install offline), else WebAssembly; `cpu` only when asked,
// as the numerical reference. The choice is returned so callers can report and store it.

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendChoice {
  name: BackendName;
  /** Why this one: e.g. "tfjs-node-gpu not installed; using wasm". */
  reason: string;
}

async function tryTensorflow(): Promise<string | null> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await import(/* webpackIgnore: true */ pkg);
      if (await tf.setBackend('tensorflow')) return pkg;
    } catch {
      // Not installed, or installed without its native library: try the next one.
    }
  }
  return null;
}

export async function selectBackend(preference: BackendPreference = 'auto'): Promise<BackendChoice> {
  if (preference === 'tensorflow' || preference === 'auto') {
    const pkg = await tryTensorflow();
    if (pkg) return { name: 'tensorflow', reason: `${pkg} loaded` };
    if (preference === 'tensorflow') {
      throw new Error('backend "tensorflow" was requested but neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node loads here');
    }
  }
  if (preference === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    await tf.ready();
    return { name: 'cpu', reason: 'requested (reference backend, slow)' };
  }
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise');
  await tf.ready();
  return { name: 'wasm', reason: preference === 'wasm' ? 'requested' : 'native TensorFlow binding not available; using wasm' };
}
