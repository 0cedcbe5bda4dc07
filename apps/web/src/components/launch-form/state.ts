import { defaultAugmentations, type Augmentation, type ErrorDetail, type TrainingConfig } from '@segmenta/contracts';

/** Form values are kept as the strings the inputs hold; numbers are parsed only on submit so a half-typed value is not lost. */
export type Values = Record<string, string>;
export interface AugRow extends Values {
  type: Augmentation['type'];
}
export interface OneOfRow extends AugRow {
  type: 'oneOf';
}
export interface AugState {
  step: AugRow;
  choices: Values[];
}

export interface FormState {
  name: string;
  preset: string;
  backbone: string;
  epochs: string;
  batchSize: string;
  gradientAccumulation: string;
  seed: string;
  optimizer: string;
  learningRate: string;
  weightDecay: string;
  momentum: string;
  beta1: string;
  beta2: string;
  gradientClipNorm: string;
  scheduleType: string;
  warmupSteps: string;
  stepSizeEpochs: string;
  gamma: string;
  initKind: string;
  initRunId: string;
  initCheckpointId: string;
  weightsPath: string;
  customImageSize: boolean;
  minSize: string;
  maxSize: string;
  augmentations: AugState[];
}

/** Every field of an augmentation step or oneOf choice except `type`, as strings. */
function strings(o: object): Values {
  const out: Values = {};
  for (const [k, v] of Object.entries(o)) if (k !== 'choices') out[k] = String(v);
  return out;
}

export function augToState(a: Augmentation): AugState {
  return { step: strings(a) as AugRow, choices: a.type === 'oneOf' ? a.choices.map(strings) : [] };
}

/** Parameters each augmentation (or oneOf choice) starts with when added: the schema's defaults. */
export const AUG_DEFAULTS: Record<Augmentation['type'], Values> = {
  horizontalFlip: { type: 'horizontalFlip', p: '0.5' },
  verticalFlip: { type: 'verticalFlip', p: '0.5' },
  brightnessContrast: { type: 'brightnessContrast', p: '0.5', brightnessLimit: '0.2', contrastLimit: '0.2' },
  oneOf: { type: 'oneOf', p: '0.5' },
  resize: { type: 'resize', p: '1', width: '512', height: '512' },
};
export const CHOICE_DEFAULTS: Record<string, Values> = {
  jpegCompression: { type: 'jpegCompression', qualityMin: '50', qualityMax: '95' },
  gamma: { type: 'gamma', gammaMin: '0.8', gammaMax: '1.2' },
  blur: { type: 'blur', radiusMax: '3' },
  equalize: { type: 'equalize' },
};

export const OPTIMIZER_DEFAULTS = {
  adam: { learningRate: '0.001', weightDecay: '0' },
  sgd: { learningRate: '0.005', weightDecay: '0.0005' },
} as const;

export function initialForm(from?: { name: string; config: TrainingConfig }): FormState {
  if (!from) {
    return {
      name: 'run', preset: 'tiny', backbone: '', epochs: '5', batchSize: '2', gradientAccumulation: '1', seed: '42',
      optimizer: 'adam', learningRate: '0.001', weightDecay: '0', momentum: '0.9', beta1: '0.9', beta2: '0.999', gradientClipNorm: '',
      scheduleType: 'constant', warmupSteps: '0', stepSizeEpochs: '3', gamma: '0.1',
      initKind: 'none', initRunId: '', initCheckpointId: '', weightsPath: '',
      customImageSize: false, minSize: '448', maxSize: '768',
      augmentations: defaultAugmentations.map(augToState),
    };
  }
  const c = from.config;
  const o = c.optimizer;
  return {
    name: `${from.name} (copy)`, preset: c.preset, backbone: c.backbone ?? '', epochs: String(c.epochs), batchSize: String(c.batchSize),
    gradientAccumulation: String(c.gradientAccumulation ?? 1), seed: String(c.seed),
    optimizer: o.type, learningRate: String(o.learningRate), weightDecay: String(o.weightDecay),
    momentum: o.type === 'sgd' ? String(o.momentum) : '0.9', beta1: o.type === 'adam' ? String(o.beta1) : '0.9', beta2: o.type === 'adam' ? String(o.beta2) : '0.999',
    gradientClipNorm: c.gradientClipNorm === undefined ? '' : String(c.gradientClipNorm),
    scheduleType: c.schedule.type, warmupSteps: String(c.schedule.warmupSteps), stepSizeEpochs: String(c.schedule.stepSizeEpochs), gamma: String(c.schedule.gamma),
    initKind: c.init.kind, initRunId: c.init.kind === 'run' ? c.init.runId : '', initCheckpointId: c.init.kind === 'run' ? (c.init.checkpointId ?? '') : '',
    weightsPath: c.init.kind === 'torchvision' ? c.init.weightsPath : '',
    customImageSize: c.imageSize !== undefined, minSize: String(c.imageSize?.minSize ?? 448), maxSize: String(c.imageSize?.maxSize ?? 768),
    augmentations: c.augmentations.map(augToState),
  };
}

/** An empty input is "not a number" rather than 0, so the schema reports it instead of silently training with 0. */
const num = (s: string | undefined) => (s === undefined || s.trim() === '' ? Number.NaN : Number(s));

function numbers(v: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(v)) out[k] = k === 'type' ? s : num(s);
  return out;
}

/** The config the form describes, in the schema's input shape (validated by the caller). */
export function toConfig(f: FormState): Record<string, unknown> {
  const optimizer =
    f.optimizer === 'sgd'
      ? { type: 'sgd', learningRate: num(f.learningRate), momentum: num(f.momentum), weightDecay: num(f.weightDecay) }
      : { type: 'adam', learningRate: num(f.learningRate), weightDecay: num(f.weightDecay), beta1: num(f.beta1), beta2: num(f.beta2) };
  const init =
    f.initKind === 'run'
      ? { kind: 'run', runId: f.initRunId, ...(f.initCheckpointId ? { checkpointId: f.initCheckpointId } : {}) }
      : f.initKind === 'torchvision'
        ? { kind: 'torchvision', weightsPath: f.weightsPath.trim() }
        : { kind: 'none' };
  return {
    name: f.name,
    preset: f.preset,
    ...(f.backbone ? { backbone: f.backbone } : {}),
    init,
    epochs: num(f.epochs),
    batchSize: num(f.batchSize),
    gradientAccumulation: num(f.gradientAccumulation),
    optimizer,
    schedule: { type: f.scheduleType, warmupSteps: num(f.warmupSteps), stepSizeEpochs: num(f.stepSizeEpochs), gamma: num(f.gamma) },
    ...(f.gradientClipNorm.trim() ? { gradientClipNorm: num(f.gradientClipNorm) } : {}),
    ...(f.customImageSize ? { imageSize: { minSize: num(f.minSize), maxSize: num(f.maxSize) } } : {}),
    seed: num(f.seed),
    augmentations: f.augmentations.map((a) => (a.step.type === 'oneOf' ? { ...numbers(a.step), choices: a.choices.map(numbers) } : numbers(a.step))),
  };
}

/** Error keys are the API's detail paths ("augmentations[0].p"); ids must be CSS-safe. */
export const errId = (k: string) => `err-${k.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '')}`;

/** "a.b[2].c" -> "a.b[2]" -> "a.b" -> "a" -> "". */
const parentPath = (k: string) => /^(.*)(\.[^.[\]]+|\[\d+\])$/.exec(k)?.[1] ?? '';

/**
 * Places each issue on the field it names. Issues about a path no input shows (or about the whole
 * object, like a bad oneOf choice type) fall back to the nearest shown parent, then to the form.
 */
export function placeErrors(details: readonly ErrorDetail[], shown: ReadonlySet<string>, fallback: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of details) {
    let key = d.path;
    while (key && !shown.has(key)) key = parentPath(key);
    const target = key || fallback;
    const msg = key ? d.message : `${d.path}: ${d.message}`;
    out[target] = out[target] ? `${out[target]}; ${msg}` : msg;
  }
  return out;
}
