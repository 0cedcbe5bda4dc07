// Turning a torchvision Mask R-CNN state dict into a model plus class names, optionally re-headed for a
// new class count the way fine-tuning does (fresh FastRCNNPredictor and mask_fcn_logits).
import type { MaskRCNNConfig } from '../config/types';
import { makeConfig, PRESETS, type PresetName } from '../config/presets';
import { MaskRCNN } from '../model/maskrcnn';
import { modelParamSpecs } from '../model/network';
import { StateDictError, upgradeLegacyKey, type StateDict } from '../model/params';
import { CheckpointError, checkClasses } from './manifest';
import { COCO_CATEGORY_NAMES } from './coco-names';

const CLS_SCORE = 'roi_heads.box_predictor.cls_score.weight';
/** What torchvision's fine-tuning recipe replaces when the class count changes. */
export const PREDICTOR_PATTERNS = [/^roi_heads\.box_predictor\./, /^roi_heads\.mask_predictor\.mask_fcn_logits\./];
/** Order matters: the first preset whose shapes fit wins. */
const AUTO_ORDER: PresetName[] = ['torchvision', 'torchvision-tiny', 'cpu-small', 'tiny'];

export interface ImportOptions {
  /** Architecture; 'auto' (default) picks the first preset whose parameter shapes fit the file. */
  preset?: PresetName | 'auto';
  /** Classes including background; when given, the predictors are re-initialised for it. */
  numClasses?: number;
  /** Foreground class names (numClasses − 1 of them). */
  classes?: readonly string[];
  /** Seed of the re-initialised predictors. */
  seed?: number;
}

export interface ImportResult {
  model: MaskRCNN;
  preset: PresetName;
  classes: string[];
  /** State-dict keys that were freshly initialised instead of loaded. */
  reinitialized: string[];
}

function fileClassCount(sd: StateDict): number {
  const t = sd.get(CLS_SCORE);
  if (!t || t.shape.length !== 2) {
    throw new CheckpointError(`not a torchvision Mask R-CNN state dict: no 2-D "${CLS_SCORE}" (found ${sd.size} tensors)`);
  }
  return t.shape[0]!;
}

/** True when every parameter of `cfg` is present in `sd` with the same torch shape. */
function shapesFit(cfg: MaskRCNNConfig, sd: StateDict): boolean {
  const given = new Map<string, readonly number[]>();
  for (const [k, t] of sd) {
    given.set(k, t.shape);
    given.set(upgradeLegacyKey(k), t.shape);
  }
  return modelParamSpecs(cfg).every((s) => {
    const g = given.get(s.name);
    return g !== undefined && g.length === s.torchShape.length && g.every((d, i) => d === s.torchShape[i]);
  });
}

function defaultClasses(n: number): string[] {
  // torchvision's COCO weights: label i is COCO category id i, so the standard names apply.
  if (n === COCO_CATEGORY_NAMES.length + 1) return [...COCO_CATEGORY_NAMES];
  return Array.from({ length: n - 1 }, (_, i) => `class_${i + 1}`);
}

export function importTorchvision(sd: StateDict, opts: ImportOptions = {}): ImportResult {
  const fileClasses = fileClassCount(sd);
  if (opts.numClasses !== undefined && (!Number.isInteger(opts.numClasses) || opts.numClasses < 2)) {
    throw new CheckpointError(`--num-classes must be an integer ≥ 2 (classes + background), got ${opts.numClasses}`);
  }
  const numClasses = opts.numClasses ?? fileClasses;
  const classes = opts.classes ? [...opts.classes] : defaultClasses(numClasses);
  checkClasses(classes, numClasses);

  let preset: PresetName;
  if (opts.preset && opts.preset !== 'auto') {
    if (!(opts.preset in PRESETS)) throw new CheckpointError(`unknown preset "${opts.preset}"; known: ${Object.keys(PRESETS).join(', ')}`);
    preset = opts.preset;
  } else {
    const found = AUTO_ORDER.find((p) => shapesFit(makeConfig(p, { numClasses: fileClasses }), sd));
    // None fits: load against the full torchvision layout so the error names every key that differs.
    preset = found ?? 'torchvision';
  }
  const cfg = makeConfig(preset, { numClasses });
  const reinit = opts.numClasses !== undefined;
  try {
    const model = MaskRCNN.fromStateDict(cfg, sd, reinit ? { ignore: PREDICTOR_PATTERNS, seed: opts.seed ?? 0 } : {});
    const reinitialized = reinit ? model.params.names().filter((k) => PREDICTOR_PATTERNS.some((r) => r.test(k))) : [];
    return { model, preset, classes, reinitialized };
  } catch (err) {
    if (!(err instanceof StateDictError)) throw err;
    const hint = err.mismatched.some((m) => m.key.startsWith('roi_heads.box_predictor') || m.key.startsWith('roi_heads.mask_predictor'))
      ? '\n(the file has a different class count: pass --num-classes to re-initialise the predictors)'
      : '';
    throw new CheckpointError(`the weights do not fit the "${preset}" architecture: ${err.message}${hint}`);
  }
}
