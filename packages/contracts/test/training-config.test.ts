import { describe, expect, it } from 'vitest';
import { trainingConfigSchema } from '../src/training-config';
import { inferenceJobSchema } from '../src/queues';

describe('trainingConfigSchema', () => {
  it('fills the origin project defaults (Adam, 70/15/15 handled elsewhere, albumentations pipeline)', () => {
    const cfg = trainingConfigSchema.parse({ name: 'run 1' });
    expect(cfg.optimizer.type).toBe('adam');
    expect(cfg.preset).toBe('cpu-small');
    expect(cfg.augmentations.map((a) => a.type)).toEqual(['horizontalFlip', 'verticalFlip', 'brightnessContrast', 'oneOf', 'oneOf']);
  });

  it('validates nested fields with paths', () => {
    const r = trainingConfigSchema.safeParse({ name: 'x', epochs: 0, optimizer: { type: 'sgd', learningRate: -1 }, augmentations: [{ type: 'horizontalFlip', p: 2 }] });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(['augmentations.0.p', 'epochs', 'optimizer.learningRate']);
  });

  it('checks the image size relation', () => {
    const r = trainingConfigSchema.safeParse({ name: 'x', imageSize: { minSize: 800, maxSize: 512 } });
    expect(r.error?.issues[0]?.path).toEqual(['imageSize', 'maxSize']);
  });
});

describe('inferenceJobSchema', () => {
  it('refuses split and imageIds together', () => {
    const r = inferenceJobSchema.safeParse({ runId: crypto.randomUUID(), split: 'val', imageIds: [crypto.randomUUID()] });
    expect(r.success).toBe(false);
  });
});
