// Inference-time folding of FrozenBatchNorm2d into the preceding bias-free conv: one conv with bias
// instead of conv + per-element affine, computed once instead of on every forward.
import * as tf from '@tensorflow/tfjs-core';
import { foldConvBn } from './layers';
import type { FoldedConv, Params, ParamStore } from './params';

/** The BN module that follows a conv in torchvision naming (conv1→bn1, downsample.0→.1, Sequential i→i+1). */
export function bnPrefixFor(convModule: string, hasBn: (prefix: string) => boolean): string | undefined {
  const candidates: string[] = [];
  const conv = /^(.*)\.conv(\d+)$/.exec(convModule);
  if (conv) candidates.push(`${conv[1]}.bn${conv[2]}`);
  const seq = /^(.*)\.(\d+)$/.exec(convModule);
  if (seq) candidates.push(`${seq[1]}.${Number(seq[2]) + 1}`);
  return candidates.find(hasBn);
}

/** Every (conv weight key, BN prefix) pair among a store's parameters. */
export function convBnPairs(names: Iterable<string>): [string, string][] {
  const set = new Set(names);
  const hasBn = (p: string): boolean => set.has(`${p}.running_var`) && set.has(`${p}.running_mean`);
  const pairs: [string, string][] = [];
  for (const n of set) {
    if (!n.endsWith('.weight') || hasBn(n.slice(0, -'.weight'.length))) continue;
    const bn = bnPrefixFor(n.slice(0, -'.weight'.length), hasBn);
    if (bn) pairs.push([n, bn]);
  }
  return pairs;
}

export interface FoldedParams extends Params {
  dispose(): void;
}

/**
 * A Params view with every conv+FrozenBN pair precomputed. The fold is a snapshot: make a new one
 * after the store's values change. Not for training (gradients would stop at the snapshot).
 */
export function foldBatchNorms(store: ParamStore): FoldedParams {
  const cache = new Map<string, FoldedConv>();
  for (const [convKey, bn] of convBnPairs(store.names())) {
    cache.set(convKey, tf.tidy(() => {
      const f = foldConvBn(store, convKey, bn);
      return { filter: f.filter, bias: f.bias };
    }));
  }
  return {
    get: (name) => store.get(name),
    folded: (key) => cache.get(key),
    dispose: () => {
      for (const f of cache.values()) tf.dispose([f.filter, f.bias]);
      cache.clear();
    },
  };
}
