// Backend choice in a browser: WebGL (the GPU), else WebAssembly, else plain JavaScript. Node code
// uses select-backend.ts instead; this file imports nothing Node-only so client bundles can take it.
// Backend modules load on demand, so a page that never predicts downloads none of them.
import * as tf from '@tensorflow/tfjs-core';

export type BrowserBackendName = 'webgl' | 'wasm' | 'cpu';
export type BrowserBackendPreference = 'auto' | BrowserBackendName;

export const BROWSER_BACKENDS: readonly BrowserBackendName[] = ['webgl', 'wasm', 'cpu'];

export interface BrowserBackendOptions {
  /**
   * Where the page serves tfjs-backend-wasm's .wasm files (a URL prefix ending in "/"). The app
   * serves them itself: a browser behind a firewall or a strict CSP must not reach for a CDN.
   */
  wasmPath: string;
}

export interface BrowserBackendChoice {
  name: BrowserBackendName;
  /** Why this one, e.g. "webgl: no WebGL in this browser; using wasm". */
  reason: string;
}

let wasmPathSet: string | null = null;

async function register(name: BrowserBackendName, opts: BrowserBackendOptions): Promise<void> {
  if (name === 'webgl') await import('@tensorflow/tfjs-backend-webgl');
  else if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // tfjs refuses a new path once the module has started; the first one stays.
    if (wasmPathSet === null) {
      wasm.setWasmPaths(opts.wasmPath);
      wasmPathSet = opts.wasmPath;
    }
  }
}

/** Starts `name`; null when it runs, else why not. */
async function tryBackend(name: BrowserBackendName, opts: BrowserBackendOptions): Promise<string | null> {
  try {
    await register(name, opts);
    if (!(await tf.setBackend(name))) return 'failed to start';
    await tf.ready();
    // Half-float textures (some mobile GPUs) would round scores and mask probabilities visibly.
    if (name === 'webgl' && !tf.env().getBool('WEBGL_RENDER_FLOAT32_CAPABLE')) return 'this GPU cannot render float32 textures';
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  }
}

/**
 * Makes a backend active: the preferred one, or with 'auto' the first of webgl → wasm → cpu that
 * starts. Throws naming every backend tried and why it failed.
 */
export async function selectBrowserBackend(preference: BrowserBackendPreference, opts: BrowserBackendOptions): Promise<BrowserBackendChoice> {
  const candidates = preference === 'auto' ? BROWSER_BACKENDS : [preference];
  const failed: string[] = [];
  for (const name of candidates) {
    const why = await tryBackend(name, opts);
    if (why === null) {
      const reason = preference !== 'auto' ? 'requested' : failed.length ? `${failed.join('; ')}; using ${name}` : 'first choice';
      return { name, reason };
    }
    failed.push(`${name}: ${why}`);
  }
  throw new Error(`no TensorFlow.js backend starts in this browser (${failed.join('; ')})`);
}
