// Messages between the web server and its inference threads (see inference-pool.ts). Types only, so
// both sides can import it without pulling anything into the other's bundle.
import type { BackendPreference, CocoResult } from '@segmenta/maskrcnn';

export interface InferenceWorkerData {
  backend: BackendPreference;
}

export interface InferenceTask {
  checkpointId: string;
  /** Absolute directory of the checkpoint (model.json + weights). */
  checkpointDir: string;
  /** The uploaded file, transferred (not copied) to the thread. */
  bytes: ArrayBuffer;
  scoreThreshold: number;
  format: 'json' | 'png';
}

export type InferenceReply =
  | { id: number; ok: true; results: CocoResult[]; png?: undefined }
  | { id: number; ok: true; png: Uint8Array<ArrayBuffer>; results?: undefined }
  /** `image`: the upload is not a usable image; `model`: the checkpoint would not load. */
  | { id: number; ok: false; kind: 'image' | 'model' | 'internal'; message: string };
