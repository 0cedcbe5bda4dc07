// Registers tfjs's gradient functions in any runtime, plus the ones tfjs lacks.
//
// tfjs-core's bundle (what `import '@tensorflow/tfjs-core'` loads in Node) registers no gradients;
// the tfjs umbrella package imports `@tensorflow/tfjs-core/dist/register_all_gradients`, an ESM
// file tree with extensionless relative imports. Bundlers and vitest resolve those; Node (and tsx)
// refuse them. In Node we add a resolve hook that retries such imports with '.js', scoped to files
// inside tfjs-core's dist. That tree is a second copy of tfjs-core's modules, which is harmless:
// the engine and the kernel/gradient registries live on the global object and are shared.
import * as tf from '@tensorflow/tfjs-core';
import { registerMissingGradients } from './extra-gradients';

const RESOLVE_HOOK = `export async function resolve(specifier, context, next) {
  try { return await next(specifier, context); } catch (error) {
    const parent = context.parentURL ?? '';
    if (parent.includes('/@tensorflow/tfjs-core/dist/') && /^\\.\\.?\\//.test(specifier) && !specifier.endsWith('.js')) {
      return next(specifier + '.js', context);
    }
    throw error;
  }
}`;

let hookRegistered = false;

const isNode = () => typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** Idempotent. Call once at start-up, before the first tf.grad / optimizer.minimize. */
export async function registerAllGradients(): Promise<void> {
  if (!tf.getGradient(tf.Conv2D)) {
    if (isNode() && !hookRegistered) {
      const { register } = await import('node:module');
      register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`);
      hookRegistered = true;
    }
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  }
  registerMissingGradients();
}
