import { parentPort } from 'node:worker_threads';
import { seededRandom } from '../train/sampler';
import { augment, type AugmentStep } from './augment';
import { sharpJpeg, type TrainingSample } from './data';

// One augmentation thread (see augment-pool.ts): runs the pipeline on the samples it is sent and hands
// the results back without copying their buffers.

export interface AugmentRequest {
  id: number;
  sample: TrainingSample;
  steps: readonly AugmentStep[];
  seed: number;
}

const port = parentPort!;
port.on('message', (req: AugmentRequest) => {
  augment(req.sample, { steps: req.steps, jpeg: sharpJpeg }, seededRandom(req.seed)).then(
    (s) => {
      const buffers = new Set([s.pixels.buffer, s.target.boxes.buffer, s.target.masks.buffer, s.target.labels.buffer]);
      port.postMessage({ id: req.id, sample: s }, [...buffers] as ArrayBuffer[]);
    },
    (err: Error) => port.postMessage({ id: req.id, error: err.message }),
  );
});
