// weights.safetensors is torchvision's own state dict: PyTorch loads it with strict=True into the
// fixture's torchvision model and detects what we detect. Needs Debian's /usr/bin/python3 with torch.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-wasm';
import { matchBoxes, useBackend } from './model.synth';
import { readWeights } from '../src/weights/index';
import { importTorchvision } from '../src/checkpoint/import-torchvision';
import { loadCheckpoint, saveCheckpoint } from '../src/checkpoint/node';
import { decodeImage } from '../src/predict/image';
import { predictDetections } from '../src/predict/predict';

const PY = '/usr/bin/python3';
const hasTorch = spawnSync(PY, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0;
const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));
const image = fileURLToPath(new URL('./fixtures/tiny/image.png', import.meta.url));

// Reads safetensors with json + numpy only (the Debian image has no safetensors package).
const SCRIPT = `
import json, sys, struct
import numpy as np, torch
from PIL import Image
sys.path.insert(0, sys.argv[1])
from tv_tiny_model import build
raw = open(sys.argv[2], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
header = json.loads(raw[8:8 + n])
sd = {}
for k, v in header.items():
    if k == '__metadata__':
        continue
    a, b = v['data_offsets']
    sd[k] = torch.from_numpy(np.frombuffer(raw[8 + n + a:8 + n + b], dtype='<f4').copy().reshape(v['shape']))
model = build(int(sys.argv[4]))
model.load_state_dict(sd, strict=True)
img = torch.from_numpy(np.asarray(Image.open(sys.argv[3]).convert('RGB'))).permute(2, 0, 1).float() / 255
with torch.no_grad():
    out = model([img])[0]
print(json.dumps({'boxes': out['boxes'].flatten().tolist(), 'scores': out['scores'].tolist(), 'labels': out['labels'].tolist()}))
`;

describe.skipIf(!hasTorch)('checkpoint weights in PyTorch', () => {
  let dir: string;
  beforeAll(async () => {
    await useBackend('wasm');
    dir = mkdtempSync(join(tmpdir(), 'segmenta-torch-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a re-headed (6-class) checkpoint loads strictly into torchvision and gives the same detections', async () => {
    const sd = readWeights(new Uint8Array(readFileSync(new URL('./fixtures/tiny/tiny_maskrcnn.pth.gz', import.meta.url))), { toFloat32: true });
    const imported = importTorchvision(sd, { numClasses: 6, classes: ['a', 'b', 'c', 'd', 'e'], seed: 5 });
    await saveCheckpoint(dir, imported.model, { classes: imported.classes });
    imported.model.dispose();

    const torchOut = JSON.parse(
      execFileSync(PY, ['-c', SCRIPT, fixturesDir, join(dir, 'weights.safetensors'), image, '6'], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } }),
    ) as { boxes: number[]; scores: number[]; labels: number[] };

    const { model, classes } = await loadCheckpoint(dir);
    const ours = await predictDetections({ model, classes }, await decodeImage(new Uint8Array(readFileSync(image))));
    model.dispose();
    expect(torchOut.scores.length).toBeGreaterThan(0);
    expect(ours.detections.length).toBe(torchOut.scores.length);
    const m = matchBoxes(ours.detections.flatMap((d) => d.box), torchOut.boxes, 0.5, ours.detections.map((d) => d.label), torchOut.labels);
    expect(m.fraction).toBe(1);
    for (const [a, b] of m.pairs) expect(Math.abs(ours.detections[b]!.score - torchOut.scores[a]!)).toBeLessThan(1e-3);
  });
});
