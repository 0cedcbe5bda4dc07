// Learning-rate schedules (per optimiser step), as torch's schedulers compute them, with an optional
// linear warm-up from warmupFactor·lr (torchvision's detection recipe warms up from 0.001·lr).

export interface ScheduleConfig {
  type: 'constant' | 'step' | 'cosine';
  baseLr: number;
  /** Steps of linear warm-up before the schedule proper. */
  warmupSteps?: number;
  warmupFactor?: number;
  /** step: multiply by gamma every stepSize steps. */
  stepSize?: number;
  gamma?: number;
  /** cosine: steps over which lr decays to minLr. */
  totalSteps?: number;
  minLr?: number;
}

export function learningRateAt(step: number, s: ScheduleConfig): number {
  const warmup = s.warmupSteps ?? 0;
  let lr: number;
  switch (s.type) {
    case 'constant':
      lr = s.baseLr;
      break;
    case 'step':
      lr = s.baseLr * (s.gamma ?? 0.1) ** Math.floor(step / Math.max(1, s.stepSize ?? 1));
      break;
    case 'cosine': {
      const total = Math.max(1, s.totalSteps ?? 1);
      const t = Math.min(step, total) / total;
      const min = s.minLr ?? 0;
      lr = min + ((s.baseLr - min) * (1 + Math.cos(Math.PI * t))) / 2;
      break;
    }
  }
  if (step < warmup) {
    const f0 = s.warmupFactor ?? 0.001;
    const alpha = step / warmup;
    lr *= f0 * (1 - alpha) + alpha;
  }
  return lr;
}
