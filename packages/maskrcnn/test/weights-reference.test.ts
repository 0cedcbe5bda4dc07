import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readStateDict, safetensorsMetadata, maybeGunzip } from '../src/weights/index';

// Integrity of the torchvision reference written by fixtures/make_fixtures.py, read through our own reader.
const path = (p: string): string => new URL(`./fixtures/tiny/${p}`, import.meta.url).pathname;
const meta = JSON.parse(readFileSync(path('reference.json'), 'utf8')) as {
  tensors: Record<string, { dtype: string; shape: number[] }>;
  image: { height: number; width: number };
  config: { box_score_thresh: number; num_classes: number };
  counts: { anchors: number; proposals: number; detections: number };
};

describe('reference.safetensors.gz', () => {
  it('matches reference.json and holds plausible detections', async () => {
    const ref = await readStateDict(path('reference.safetensors.gz'));
    expect(safetensorsMetadata(maybeGunzip(readFileSync(path('reference.safetensors.gz'))))).toEqual({ format: 'pt', layout: 'NCHW' });
    expect(Object.fromEntries([...ref].map(([k, v]) => [k, { dtype: v.dtype, shape: v.shape }]))).toEqual(meta.tensors);
    const { height, width } = meta.image;
    expect(ref.get('image')!.shape).toEqual([height, width, 3]);

    const n = meta.counts.detections;
    const scores = [...ref.get('scores')!.data as Float32Array];
    expect(scores.length).toBe(n);
    for (let i = 1; i < n; i++) expect(scores[i]!).toBeLessThanOrEqual(scores[i - 1]!);
    expect(Math.min(...scores)).toBeGreaterThan(meta.config.box_score_thresh);
    const labels = [...ref.get('labels')!.data as BigInt64Array].map(Number);
    expect(labels.every((l) => l >= 1 && l < meta.config.num_classes)).toBe(true);
    const boxes = ref.get('boxes')!.data as Float32Array;
    for (let i = 0; i < n; i++) {
      const [x1, y1, x2, y2] = boxes.subarray(4 * i, 4 * i + 4);
      expect(x1! >= 0 && y1! >= 0 && x2! <= width && y2! <= height && x2! > x1! && y2! > y1!).toBe(true);
    }
    const masks = ref.get('masks')!.data as Float32Array;
    expect(masks.every((m) => m >= 0 && m <= 1)).toBe(true);
    const anchors = ['0', '1', '2', '3', 'pool'].reduce((s, l) => s + ref.get(`anchors.${l}`)!.shape[0]!, 0);
    expect(anchors).toBe(meta.counts.anchors);
  });
});
