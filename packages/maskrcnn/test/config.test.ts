import { describe, expect, it } from 'vitest';
import keys from './model-keys.json';
import { BACKBONE_DEFAULTS, makeConfig, PRESETS } from '../src/config/presets';
import { ConfigError, validateConfig } from '../src/config/validate';
import type { MaskRCNNConfig } from '../src/config/types';

const tv = keys.defaults;

const DELETE = Symbol('delete');

/** Validation issues of the torchvision preset with one dotted field set (or deleted). */
function issuesOf(path: string, value: unknown): { path: string; message: string }[] {
  const c = structuredClone(PRESETS.torchvision) as unknown as Record<string, unknown>;
  const parts = path.split('.');
  const leaf = parts.pop()!;
  const parent = parts.reduce((o, k) => o[k] as Record<string, unknown>, c);
  if (value === DELETE) delete parent[leaf];
  else parent[leaf] = value;
  return validateConfig(c);
}

describe('presets', () => {
  it('torchvision preset holds the values torchvision 0.14 builds maskrcnn_resnet50_fpn with', () => {
    const c = PRESETS.torchvision;
    expect(c.transform).toEqual({ minSize: tv.minSize, maxSize: tv.maxSize, imageMean: tv.imageMean, imageStd: tv.imageStd, sizeDivisible: tv.sizeDivisible });
    expect(c.anchors).toEqual({ sizes: tv.anchorSizes, aspectRatios: tv.aspectRatios });
    expect(c.fpn.outChannels).toBe(tv.fpnChannels);
    expect(c.numClasses).toBe(tv.roi.numClasses);
    const r = c.rpn;
    expect([r.preNmsTopNTrain, r.preNmsTopNTest, r.postNmsTopNTrain, r.postNmsTopNTest]).toEqual([
      tv.rpn.preNmsTopN.training, tv.rpn.preNmsTopN.testing, tv.rpn.postNmsTopN.training, tv.rpn.postNmsTopN.testing]);
    expect([r.nmsThresh, r.fgIouThresh, r.bgIouThresh, r.batchSizePerImage, r.positiveFraction, r.scoreThresh, r.minBoxSize, r.boxCoderWeights])
      .toEqual([tv.rpn.nmsThresh, tv.rpn.fg, tv.rpn.bg, tv.rpn.batchSizePerImage, tv.rpn.positiveFraction, tv.rpn.scoreThresh, tv.rpn.minSize, tv.rpn.weights]);
    const h = c.roiHeads;
    expect([h.boxRoiPoolSize, h.maskRoiPoolSize, h.samplingRatio, h.representationSize, h.fgIouThresh, h.bgIouThresh, h.batchSizePerImage,
      h.positiveFraction, h.boxCoderWeights, h.scoreThresh, h.nmsThresh, h.detectionsPerImage])
      .toEqual([tv.roi.boxPool, tv.roi.maskPool, tv.roi.samplingRatio, tv.roi.representation, tv.roi.fg, tv.roi.bg, tv.roi.batchSizePerImage,
        tv.roi.positiveFraction, tv.roi.weights, tv.roi.scoreThresh, tv.roi.nmsThresh, tv.roi.detections]);
    expect([c.maskHead.layers, c.maskHead.predictorChannels]).toEqual([tv.roi.maskLayers, tv.roi.maskPredictor]);
    expect(c.backbone).toEqual({ kind: 'resnet50-fpn', layers: [3, 4, 6, 3], widthPerGroup: 64, trainableLayers: 3 });
  });

  it('every preset validates; cpu-small and tiny use small short sides', () => {
    for (const [name, c] of Object.entries(PRESETS)) expect(validateConfig(c), name).toEqual([]);
    expect(PRESETS['cpu-small'].backbone.kind).toBe('small');
    expect(PRESETS['cpu-small'].transform.minSize).toBeGreaterThanOrEqual(384);
    expect(PRESETS['cpu-small'].transform.minSize).toBeLessThanOrEqual(512);
    expect(PRESETS.tiny.transform.minSize).toBeLessThanOrEqual(160);
  });

  it('makeConfig merges deeply, replaces arrays, and does not mutate the preset', () => {
    const c = makeConfig('torchvision', { numClasses: 11, rpn: { nmsThresh: 0.6 }, anchors: { sizes: [16, 32, 64, 128, 256] } });
    expect(c.numClasses).toBe(11);
    expect(c.rpn.nmsThresh).toBe(0.6);
    expect(c.rpn.fgIouThresh).toBe(0.7);
    expect(c.anchors.sizes).toEqual([16, 32, 64, 128, 256]);
    expect(PRESETS.torchvision.rpn.nmsThresh).toBe(0.7);
    expect(PRESETS.torchvision.anchors.sizes).toEqual([32, 64, 128, 256, 512]);
  });

  it('the tiny fixture variant is expressible from the torchvision preset', () => {
    const c = makeConfig('torchvision', {
      numClasses: 4, backbone: { layers: [1, 1, 1, 1], widthPerGroup: 16 }, fpn: { outChannels: 32 },
      roiHeads: { representationSize: 64 }, maskHead: { layers: [32, 32, 32, 32], predictorChannels: 32 },
      transform: { minSize: 160, maxSize: 256 },
    });
    expect(c).toEqual(PRESETS['torchvision-tiny']);
  });

  it('switching backbone kind starts from that kind\'s defaults', () => {
    const c = makeConfig('torchvision', { backbone: { kind: 'small', channels: [16, 32, 64, 128] } });
    expect(c.backbone).toEqual({ ...BACKBONE_DEFAULTS.small, channels: [16, 32, 64, 128] });
    expect('widthPerGroup' in c.backbone).toBe(false);
  });

  it('makeConfig throws a ConfigError listing each problem', () => {
    let err: unknown;
    try { makeConfig('tiny', { rpn: { nmsThresh: 1.5 }, numClasses: 1 }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.path).sort()).toEqual(['numClasses', 'rpn.nmsThresh']);
    expect((err as Error).message).toContain('rpn.nmsThresh: expected a number in [0, 1], got 1.5');
  });
});

describe('validator messages', () => {
  it.each<[string, string, unknown, { path: string; message: string }]>([
    ['bad backbone kind', 'backbone.kind', 'vgg', { path: 'backbone.kind', message: 'expected one of resnet50-fpn, mini, small, got "vgg"' }],
    ['wrong block count', 'backbone.layers', [3, 4, 6], { path: 'backbone.layers', message: 'expected 4 entries, got 3' }],
    ['fractional width', 'backbone.widthPerGroup', 1.5, { path: 'backbone.widthPerGroup', message: 'expected an integer >= 1, got 1.5' }],
    ['trainable layers out of range', 'backbone.trainableLayers', 6, { path: 'backbone.trainableLayers', message: 'expected an integer in [0, 5], got 6' }],
    ['anchor per level', 'anchors.sizes', [32, 64], { path: 'anchors.sizes', message: 'expected 5 entries, got 2' }],
    ['negative ratio', 'anchors.aspectRatios', [0.5, -1], { path: 'anchors.aspectRatios[1]', message: 'expected a number in (0, Infinity], got -1' }],
    ['zero std', 'transform.imageStd', [0.2, 0, 0.2], { path: 'transform.imageStd[1]', message: 'expected a number in (0, Infinity], got 0' }],
    ['string number', 'roiHeads.scoreThresh', '0.05', { path: 'roiHeads.scoreThresh', message: 'expected a finite number, got "0.05"' }],
    ['missing field', 'rpn.positiveFraction', DELETE, { path: 'rpn.positiveFraction', message: 'missing' }],
    ['unknown field', 'maskHead.dropout', 0.1, { path: 'maskHead.dropout', message: 'unknown field' }],
    ['min > max', 'transform.minSize', 1400, { path: 'transform.minSize', message: 'must be <= transform.maxSize (1333), got 1400' }],
    ['bg above fg', 'rpn.bgIouThresh', 0.8, { path: 'rpn.bgIouThresh', message: 'must be <= rpn.fgIouThresh (0.7), got 0.8' }],
  ])('%s', (_name, path, value, expected) => {
    expect(issuesOf(path, value)).toEqual([expected]);
  });

  it('reports a non-object config', () => {
    expect(validateConfig(null)).toEqual([{ path: '', message: 'expected an object, got null' }]);
  });

  it('a valid config round-trips through JSON', () => {
    const c: MaskRCNNConfig = JSON.parse(JSON.stringify(PRESETS['cpu-small']));
    expect(validateConfig(c)).toEqual([]);
  });
});
