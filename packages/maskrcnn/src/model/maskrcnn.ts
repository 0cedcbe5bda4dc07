// The model object: config, backbone body, parameters, and an inference entry point.
import type * as tf from '@tensorflow/tfjs-core';
import type { MaskRCNNConfig } from '../config/types';
import { assertValidConfig } from '../config/validate';
import type { BackboneBody } from './backbone';
import { foldBatchNorms, type FoldedParams } from './fold';
import { runInference, type InferenceOutput } from './inference';
import { makeBody, modelParamSpecs } from './network';
import { ParamStore, type LoadOptions, type StateDict } from './params';

export class MaskRCNN {
  private folded: FoldedParams | undefined;

  private constructor(
    readonly cfg: MaskRCNNConfig,
    readonly body: BackboneBody,
    readonly params: ParamStore,
  ) {}

  /** Fresh weights initialised as torchvision does (for training from scratch or fine-tuning heads). */
  static init(cfg: MaskRCNNConfig, seed = 0): MaskRCNN {
    assertValidConfig(cfg);
    const body = makeBody(cfg.backbone);
    return new MaskRCNN(cfg, body, ParamStore.init(modelParamSpecs(cfg, body), seed));
  }

  /** Weights from a torchvision-keyed state dict (see ParamStore.fromStateDict for the checks). */
  static fromStateDict(cfg: MaskRCNNConfig, sd: StateDict, opts?: LoadOptions): MaskRCNN {
    assertValidConfig(cfg);
    const body = makeBody(cfg.backbone);
    return new MaskRCNN(cfg, body, ParamStore.fromStateDict(modelParamSpecs(cfg, body), sd, opts));
  }

  /**
   * Detections for [H, W, 3] images in [0, 1] (inputs not disposed). FrozenBN is folded on first use;
   * call `invalidate()` after changing parameter values.
   */
  async detect(images: readonly tf.Tensor3D[]): Promise<InferenceOutput> {
    this.folded ??= foldBatchNorms(this.params);
    return runInference({ cfg: this.cfg, body: this.body, params: this.folded }, images);
  }

  /** Drops the folded-weight snapshot (after training steps or loading new values). */
  invalidate(): void {
    this.folded?.dispose();
    this.folded = undefined;
  }

  dispose(): void {
    this.invalidate();
    this.params.dispose();
  }
}
