import * as tf from '@tensorflow/tfjs-core';

// Optimisers as PyTorch defines them for this recipe: Adam (the origin project) and SGD with
// momentum (torchvision's), both with *coupled* weight decay (wd·θ added to the gradient, as
// torch.optim.Adam/SGD's weight_decay does), plus global-norm gradient clipping.

/** An optimiser slot (a moment, a momentum buffer, the step count) as tfjs names it. */
export interface SlotTensor {
  name: string;
  tensor: tf.Tensor;
}

export type OptimizerConfig =
  | { type: 'adam'; weightDecay?: number; beta1?: number; beta2?: number; epsilon?: number }
  | { type: 'sgd'; weightDecay?: number; momentum?: number };

export interface Optimizer {
  /** Applies one update with learning rate `lr`; disposes `grads`. Returns the pre-clip global norm. */
  step(grads: Record<string, tf.Tensor>, lr: number, clipNorm?: number): number;
  /**
   * Optimiser slots (moments, momentum buffers) for checkpoints, named by parameter (torchvision key
   * + `/m`, `/v`, `/momentum`) rather than by this process's tf.Variable names, so another process
   * can restore them.
   */
  getState(): Promise<SlotTensor[]>;
  setState(state: SlotTensor[]): Promise<void>;
  dispose(): void;
}

export function globalNorm(grads: Record<string, tf.Tensor>): number {
  return tf.tidy(() => {
    const squares = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    let total = squares[0] ?? tf.scalar(0);
    for (let i = 1; i < squares.length; i++) total = tf.add(total, squares[i]!);
    return Math.sqrt(total.dataSync()[0]!);
  });
}

export function createOptimizer(cfg: OptimizerConfig, vars: Map<string, tf.Variable>): Optimizer {
  // tfjs reads `learningRate` on every applyGradients call, so one instance serves every schedule.
  // (`learningRate` is protected in tfjs's typings but a plain field at run time.)
  const inner = (cfg.type === 'adam'
    ? tf.train.adam(1e-3, cfg.beta1 ?? 0.9, cfg.beta2 ?? 0.999, cfg.epsilon ?? 1e-8)
    : tf.train.momentum(1e-3, cfg.momentum ?? 0.9, false)) as unknown as tf.Optimizer & { learningRate: number };
  const wd = cfg.weightDecay ?? 0;
  // Gradients arrive keyed by each tf.Variable's own name.
  const byName = new Map([...vars.values()].map((v) => [v.name, v]));
  const paramOf = new Map([...vars].map(([param, v]) => [v.name, param]));
  const varOf = new Map([...vars].map(([param, v]) => [param, v.name]));
  const rename = (slot: SlotTensor, map: Map<string, string>): SlotTensor => {
    const cut = slot.name.lastIndexOf('/');
    const owner = cut > 0 ? slot.name.slice(0, cut) : '';
    const to = map.get(owner);
    return to ? { name: `${to}${slot.name.slice(cut)}`, tensor: slot.tensor } : slot;
  };
  return {
    step(grads, lr, clipNorm) {
      const norm = clipNorm !== undefined ? globalNorm(grads) : NaN;
      const scale = clipNorm !== undefined && norm > clipNorm ? clipNorm / (norm + 1e-6) : 1;
      const named = tf.tidy(() => {
        const out: Record<string, tf.Tensor> = {};
        for (const [name, g] of Object.entries(grads)) {
          let v = scale === 1 ? g : tf.mul(g, scale);
          if (wd > 0) v = tf.add(v, tf.mul(byName.get(name)!, wd));
          out[name] = v;
        }
        return out;
      });
      inner.learningRate = lr;
      inner.applyGradients(named);
      tf.dispose(named);
      tf.dispose(grads);
      return norm;
    },
    getState: async () => (await inner.getWeights()).map((w) => rename(w, paramOf)),
    setState: (state) => inner.setWeights(state.map((w) => rename(w, varOf))),
    dispose: () => inner.dispose(),
  };
}
