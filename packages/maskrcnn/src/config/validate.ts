import type { MaskRCNNConfig } from './types';

/** One problem found in a config: a dotted path (e.g. `rpn.nmsThresh`) and what is wrong with it. */
export interface ConfigIssue {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(`invalid Mask R-CNN config:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The FPN emits P2–P6, and anchors need one size per level. */
export const FPN_LEVELS = 5;

type Check = (issues: ConfigIssue[], path: string, v: unknown) => void;

const describe = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : JSON.stringify(v) ?? String(v));

function num(v: unknown, path: string, issues: ConfigIssue[]): v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    issues.push({ path, message: `expected a finite number, got ${describe(v)}` });
    return false;
  }
  return true;
}

const int = (min: number, max = Infinity): Check => (issues, path, v) => {
  if (!num(v, path, issues)) return;
  if (!Number.isInteger(v) || v < min || v > max) {
    const range = max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`;
    issues.push({ path, message: `expected an integer ${range}, got ${v}` });
  }
};

/** Closed or half-open interval on reals. */
const real = (min: number, max: number, openMin = false): Check => (issues, path, v) => {
  if (!num(v, path, issues)) return;
  if (v > max || v < min || (openMin && v === min)) {
    issues.push({ path, message: `expected a number in ${openMin ? '(' : '['}${min}, ${max}], got ${v}` });
  }
};

const positive: Check = real(0, Infinity, true);

const list = (item: Check, length?: number, minLength = 1): Check => (issues, path, v) => {
  if (!Array.isArray(v)) {
    issues.push({ path, message: `expected an array, got ${describe(v)}` });
    return;
  }
  if (length !== undefined && v.length !== length) {
    issues.push({ path, message: `expected ${length} entries, got ${v.length}` });
  } else if (v.length < minLength) {
    issues.push({ path, message: `expected at least ${minLength} entries, got ${v.length}` });
  }
  v.forEach((x, i) => item(issues, `${path}[${i}]`, x));
};

function section(issues: ConfigIssue[], obj: unknown, path: string, checks: Record<string, Check>): void {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    issues.push({ path, message: `expected an object, got ${describe(obj)}` });
    return;
  }
  const rec = obj as Record<string, unknown>;
  for (const [key, check] of Object.entries(checks)) {
    const p = path ? `${path}.${key}` : key;
    if (!(key in rec)) issues.push({ path: p, message: 'missing' });
    else check(issues, p, rec[key]);
  }
  for (const key of Object.keys(rec)) {
    if (!(key in checks)) issues.push({ path: path ? `${path}.${key}` : key, message: 'unknown field' });
  }
}

const prob = real(0, 1);
const trainable = int(0, 5);
const backboneChecks: Record<string, Record<string, Check>> = {
  'resnet50-fpn': { kind: () => {}, layers: list(int(1), 4), widthPerGroup: int(1), trainableLayers: trainable },
  mini: { kind: () => {}, channels: list(int(1), 4), convsPerStage: int(1), trainableLayers: trainable },
  small: { kind: () => {}, stemChannels: int(1), channels: list(int(1), 4), layers: list(int(1), 4), trainableLayers: trainable },
};

/** Every problem in `cfg`, empty when valid. Paths are dotted; messages say what was expected and what came. */
export function validateConfig(cfg: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (typeof cfg !== 'object' || cfg === null) return [{ path: '', message: `expected an object, got ${describe(cfg)}` }];
  const c = cfg as Partial<Record<keyof MaskRCNNConfig, unknown>>;

  const kind = (c.backbone as { kind?: unknown } | undefined)?.kind;
  const bbChecks = typeof kind === 'string' ? backboneChecks[kind] : undefined;
  const top: Record<string, Check> = {
    numClasses: int(2),
    backbone: (iss, p, v) => {
      if (bbChecks) section(iss, v, p, bbChecks);
      else iss.push({ path: `${p}.kind`, message: `expected one of ${Object.keys(backboneChecks).join(', ')}, got ${describe(kind)}` });
    },
    transform: (iss, p, v) => section(iss, v, p, {
      minSize: int(1), maxSize: int(1), imageMean: list(real(-Infinity, Infinity), 3), imageStd: list(positive, 3),
      sizeDivisible: int(1),
    }),
    fpn: (iss, p, v) => section(iss, v, p, { outChannels: int(1) }),
    anchors: (iss, p, v) => section(iss, v, p, { sizes: list(positive, FPN_LEVELS), aspectRatios: list(positive) }),
    rpn: (iss, p, v) => section(iss, v, p, {
      preNmsTopNTrain: int(1), preNmsTopNTest: int(1), postNmsTopNTrain: int(1), postNmsTopNTest: int(1),
      nmsThresh: prob, fgIouThresh: prob, bgIouThresh: prob, batchSizePerImage: int(1), positiveFraction: prob,
      scoreThresh: prob, minBoxSize: real(0, Infinity), boxCoderWeights: list(positive, 4), smoothL1Beta: real(0, Infinity),
    }),
    roiHeads: (iss, p, v) => section(iss, v, p, {
      boxRoiPoolSize: int(1), maskRoiPoolSize: int(1), samplingRatio: int(0), canonicalScale: positive, canonicalLevel: int(0),
      representationSize: int(1), fgIouThresh: prob, bgIouThresh: prob, batchSizePerImage: int(1), positiveFraction: prob,
      boxCoderWeights: list(positive, 4), smoothL1Beta: real(0, Infinity), scoreThresh: prob, nmsThresh: prob,
      detectionsPerImage: int(1), minBoxSize: real(0, Infinity),
    }),
    maskHead: (iss, p, v) => section(iss, v, p, {
      layers: list(int(1)), dilation: int(1), predictorChannels: int(1), maskThreshold: real(0, 1),
    }),
  };
  section(issues, cfg, '', top);
  if (issues.length > 0) return issues;

  // Cross-field rules, only once every field has the right type.
  const v = c as MaskRCNNConfig;
  if (v.transform.minSize > v.transform.maxSize) {
    issues.push({ path: 'transform.minSize', message: `must be <= transform.maxSize (${v.transform.maxSize}), got ${v.transform.minSize}` });
  }
  for (const s of ['rpn', 'roiHeads'] as const) {
    if (v[s].bgIouThresh > v[s].fgIouThresh) {
      issues.push({ path: `${s}.bgIouThresh`, message: `must be <= ${s}.fgIouThresh (${v[s].fgIouThresh}), got ${v[s].bgIouThresh}` });
    }
  }
  if (v.rpn.postNmsTopNTrain > v.rpn.preNmsTopNTrain * FPN_LEVELS) {
    issues.push({ path: 'rpn.postNmsTopNTrain', message: `cannot exceed ${FPN_LEVELS} levels × rpn.preNmsTopNTrain (${v.rpn.preNmsTopNTrain})` });
  }
  if (v.rpn.postNmsTopNTest > v.rpn.preNmsTopNTest * FPN_LEVELS) {
    issues.push({ path: 'rpn.postNmsTopNTest', message: `cannot exceed ${FPN_LEVELS} levels × rpn.preNmsTopNTest (${v.rpn.preNmsTopNTest})` });
  }
  return issues;
}

/** Throws a ConfigError listing every issue. */
export function assertValidConfig(cfg: unknown): asserts cfg is MaskRCNNConfig {
  const issues = validateConfig(cfg);
  if (issues.length > 0) throw new ConfigError(issues);
}
