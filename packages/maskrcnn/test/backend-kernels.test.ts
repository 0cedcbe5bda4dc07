// Our wasm training kernels against the cpu backend: gradients of the forward ops through tf.grads,
// on random inputs, for the conv geometries Mask R-CNN uses (and some awkward ones).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradients (the tfjs umbrella package does this import)
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import {
  builtinKernels, conv2dBackpropFilterWasm, conv2dBackpropInputWasm, convGeometry,
  registerWasmTrainingKernels, WASM_TRAINING_KERNELS,
} from '../src/backend';

import { gradsOn, rand, relErr, type Input } from './grad-compare';

async function expectSameGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Input[]): Promise<void> {
  const w = await gradsOn('wasm', f, inputs);
  const c = await gradsOn('cpu', f, inputs);
  w.forEach((wa, i) => {
    expect(c[i]!.some((v) => v !== 0)).toBe(true);
    expect(relErr(wa, c[i]!), `output ${i}`).toBeLessThan(1e-4);
  });
}

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const explicit = (t: number, b: number, l: number, r: number): Pad => [[0, 0], [t, b], [l, r], [0, 0]];

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmTrainingKernels();
});

describe('registration', () => {
  it('adds the missing kernels and replaces Conv2DBackpropInput, idempotently', () => {
    registerWasmTrainingKernels();
    for (const name of ['Conv2DBackpropFilter', 'UnsortedSegmentSum', 'Conv2DBackpropInput']) {
      expect(WASM_TRAINING_KERNELS).toContain(name);
      expect(tf.getKernel(name, 'wasm')).toBeDefined();
    }
    expect(builtinKernels.get('wasm/Conv2DBackpropInput')).toBeDefined();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).not.toBe(builtinKernels.get('wasm/Conv2DBackpropInput'));
  });
});

describe('conv2d gradients (Conv2DBackpropInput + Conv2DBackpropFilter)', () => {
  const cases: Array<[string, number[], number[], number, Pad]> = [
    ['3×3 s1 same, 7×9, c3→5', [1, 7, 9, 3], [3, 3, 3, 5], 1, 'same'],
    ['3×3 s2 same, batch 2, 7×9, c5→8', [2, 7, 9, 5], [3, 3, 5, 8], 2, 'same'],
    ['3×3 s2 same, even 8×8', [1, 8, 8, 4], [3, 3, 4, 3], 2, 'same'],
    ['3×3 s2 valid, 9×7, c8→3', [1, 9, 7, 8], [3, 3, 8, 3], 2, 'valid'],
    ['3×3 s1 valid, batch 2', [2, 7, 9, 3], [3, 3, 3, 5], 1, 'valid'],
    ['1×1 s1 (pointwise), batch 2', [2, 7, 9, 5], [1, 1, 5, 8], 1, 'valid'],
    ['1×1 s2 (downsample), batch 2', [2, 9, 7, 3], [1, 1, 3, 8], 2, 'valid'],
    ['7×7 s2 explicit pad 3 (stem)', [1, 11, 13, 3], [7, 7, 3, 5], 2, explicit(3, 3, 3, 3)],
    ['3×3 s1 explicit asymmetric', [1, 7, 9, 5], [3, 3, 5, 3], 1, explicit(1, 2, 2, 0)],
    ['3×3 s2 explicit asymmetric', [2, 7, 9, 3], [3, 3, 3, 5], 2, explicit(2, 0, 0, 1)],
    ['3×3 s1 pad wider than the filter', [1, 7, 9, 3], [3, 3, 3, 5], 1, explicit(3, 0, 0, 3)],
    ['2×3 filter, strides [2,1]', [1, 7, 9, 5], [2, 3, 5, 8], 2, 'same'],
  ];
  for (const [name, xs, ws, stride, pad] of cases) {
    it(name, async () => {
      const strides: [number, number] = name.includes('strides [2,1]') ? [2, 1] : [stride, stride];
      await expectSameGrads(
        (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad),
        [rand(xs, 1), rand(ws, 2)]);
    });
  }
});

describe('the model\'s conv pattern: explicit tf.pad, then fused conv2d (bias, ReLU) with valid padding', () => {
  for (const stride of [1, 2]) {
    it(`3×3 stride ${stride}, batch 2, odd size`, async () => {
      await expectSameGrads((x, w, bias) => tf.fused.conv2d({
        x: tf.pad(x as tf.Tensor4D, [[0, 0], [1, 1], [1, 1], [0, 0]]), filter: w as tf.Tensor4D, strides: stride,
        pad: 'valid', bias, activation: 'relu',
      }), [rand([2, 9, 7, 5], 26), rand([3, 3, 5, 8], 27), rand([8], 28)]);
    });
  }
});

describe('conv2dTranspose (mask head 2× deconv)', () => {
  it('forward and gradients, k2 s2 valid, batch 2, c8→5', async () => {
    await expectSameGrads(
      (x, w) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 14, 14, 5], 2, 'valid'),
      [rand([2, 7, 7, 8], 3), rand([2, 2, 5, 8], 4)]);
  });
  it('k3 s2 same', async () => {
    await expectSameGrads(
      (x, w) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [1, 10, 14, 3], 2, 'same'),
      [rand([1, 5, 7, 5], 5), rand([3, 3, 3, 5], 6)]);
  });
});

/** Runs a kernel on cpu and the same kernel body of ours on wasm, directly (no tf.grad). */
async function kernelOn(backend: string, name: string, inputs: Record<string, Input>, attrs: tf.NamedAttrMap,
  body?: (b: unknown, t: Record<string, tf.TensorInfo>) => tf.TensorInfo): Promise<Float32Array> {
  await tf.setBackend(backend);
  const ts = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.data, v.shape)]));
  const out = body
    ? tf.engine().makeTensorFromTensorInfo(body(tf.backend(), ts))
    : tf.engine().runKernel(name, ts, attrs) as tf.Tensor;
  const data = out.dataSync() as Float32Array;
  tf.dispose([out, ...Object.values(ts)]);
  return data;
}

describe('phase strategies and chunking agree with cpu', () => {
  const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: 'floor' } as unknown as tf.NamedAttrMap;
  const dy = rand([2, 4, 5, 6], 8);
  const w = rand([3, 3, 5, 6], 9);
  const x = rand([2, 7, 9, 5], 10);
  it('Conv2DBackpropInput merged vs separate phases', async () => {
    const ref = await kernelOn('cpu', 'Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape });
    for (const mode of ['merged', 'separate'] as const) {
      const got = await kernelOn('wasm', '', { dy, filter: w }, {}, (b, t) =>
        conv2dBackpropInputWasm(b as never, t['dy']!, t['filter']!, convGeometry(x.shape, w.shape, attrs), mode));
      expect(relErr(got, ref), mode).toBeLessThan(1e-4);
    }
  });
  it('Conv2DBackpropFilter with the im2col matrix split into one-output-row chunks', async () => {
    const ref = await kernelOn('cpu', 'Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape });
    const got = await kernelOn('wasm', '', { x, dy }, {}, (b, t) =>
      conv2dBackpropFilterWasm(b as never, t['x']!, t['dy']!, convGeometry(x.shape, w.shape, attrs), 1));
    expect(relErr(got, ref)).toBeLessThan(1e-4);
  });
});

describe('dilated conv (core has no dilated gradient; checked by the adjoint identity)', () => {
  // <conv(x, W), dy> = <x, dx> = <W, dW> for the linear maps x ↦ conv(x, W) and W ↦ conv(x, W)
  it('dilation 2, same padding', async () => {
    const attrs = { strides: [1, 1], dilations: [2, 2], pad: 'same', dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap;
    const x = rand([2, 7, 9, 3], 11);
    const w = rand([3, 3, 3, 5], 12);
    const dy = rand([2, 7, 9, 5], 13);
    await tf.setBackend('cpu');
    const y = tf.conv2d(tf.tensor4d(x.data, x.shape as never), tf.tensor4d(w.data, w.shape as never), 1, 'same', 'NHWC', 2);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!; return s; };
    const ref = dot(y.dataSync(), dy.data);
    const g = convGeometry(x.shape, w.shape, attrs);
    const dx = await kernelOn('wasm', '', { dy, w }, {}, (b, t) => conv2dBackpropInputWasm(b as never, t['dy']!, t['w']!, g));
    const dw = await kernelOn('wasm', '', { x, dy }, {}, (b, t) => conv2dBackpropFilterWasm(b as never, t['x']!, t['dy']!, g));
    expect(Math.abs(dot(x.data, dx) - ref)).toBeLessThan(1e-4 * Math.abs(ref) + 1e-3);
    expect(Math.abs(dot(w.data, dw) - ref)).toBeLessThan(1e-4 * Math.abs(ref) + 1e-3);
  });
});

describe('matMul with transposed operands (BatchMatMul, replaced on wasm)', () => {
  it.each([
    [false, false], [true, false], [false, true], [true, true],
  ])('rank 2 and 3, transposeA %s transposeB %s, and the gradients of both', async (ta, tb) => {
    const [m, k, n] = [7, 13, 5];
    const shapeA = (batch: number[]) => [...batch, ...(ta ? [k, m] : [m, k])];
    const shapeB = (batch: number[]) => [...batch, ...(tb ? [n, k] : [k, n])];
    await expectSameGrads((a, b) => tf.matMul(a!, b!, ta, tb), [rand(shapeA([]), 21), rand(shapeB([]), 22)]);
    await expectSameGrads((a, b) => tf.matMul(a!, b!, ta, tb), [rand(shapeA([3]), 23), rand(shapeB([3]), 24)]);
  });

  it('captures the built-in BatchMatMul once and registers ours in its place', () => {
    registerWasmTrainingKernels();
    expect(WASM_TRAINING_KERNELS).toContain('BatchMatMul');
    expect(builtinKernels.get('wasm/BatchMatMul')).toBeDefined();
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).not.toBe(builtinKernels.get('wasm/BatchMatMul'));
  });
});

describe('gather gradient (UnsortedSegmentSum)', () => {
  const idx = (v: number[]) => tf.tensor1d(v, 'int32');
  it('axis 0 with repeated indices', async () => {
    await expectSameGrads((x) => tf.gather(x, idx([0, 2, 2, 4, 2, 0])), [rand([5, 3], 14)]);
  });
  it('axis 1 of a 3-D tensor with repeated indices and an untouched slot', async () => {
    await expectSameGrads((x) => tf.gather(x, idx([3, 1, 3, 3]), 1), [rand([2, 5, 4], 15)]);
  });
  it('direct op: multi-dim rows, int32, ids out of range dropped', async () => {
    const x = rand([6, 2, 3], 16);
    const run = async (b: string, dtype: 'float32' | 'int32') => {
      await tf.setBackend(b);
      return tf.tidy(() => tf.unsortedSegmentSum(
        tf.cast(tf.mul(tf.tensor(x.data, x.shape), 100), dtype), idx([1, 0, 1, 3, 7, -1]), 4).dataSync());
    };
    for (const dtype of ['float32', 'int32'] as const) {
      const w = Float32Array.from(await run('wasm', dtype));
      const c = Float32Array.from(await run('cpu', dtype));
      expect(c.slice(2 * 2 * 3, 3 * 2 * 3).every((v) => v === 0)).toBe(true); // segment 2 is empty
      expect(relErr(w, c)).toBeLessThan(1e-6);
    }
  });
});

describe('maxPool gradient (MaxPoolGrad, replaced on wasm)', () => {
  it('3×3 s2 same (ResNet stem), batch 2', async () => {
    await expectSameGrads((x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same'), [rand([2, 9, 8, 3], 17)]);
  });
  it('1×1 s2 (FPN P6), odd size, signed inputs', async () => {
    await expectSameGrads((x) => tf.maxPool(x as tf.Tensor4D, 1, 2, 'same'), [rand([1, 7, 9, 5], 18)]);
  });
  it('3×3 s1 valid', async () => {
    await expectSameGrads((x) => tf.maxPool(x as tf.Tensor4D, 3, 1, 'valid'), [rand([1, 6, 5, 4], 21)]);
  });
  it('the built-in wasm MaxPoolGrad drops negative maxima (why it is replaced)', async () => {
    const x = rand([1, 4, 4, 2], 22);
    const dy = rand([1, 2, 2, 2], 23);
    const run = async (backend: string, fn?: tf.KernelFunc) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const xt = tf.tensor4d(x.data, x.shape as never);
        const attrs = { filterSize: 1, strides: 2, pad: 'same' };
        const y = tf.maxPool(xt, 1, 2, 'same');
        const inputs = { dy: tf.tensor(dy.data, dy.shape), input: xt, output: y };
        const out = fn ? tf.engine().makeTensorFromTensorInfo(fn({ inputs, backend: tf.backend(), attrs }) as tf.TensorInfo)
          : tf.engine().runKernel('MaxPoolGrad', inputs, attrs) as tf.Tensor;
        return out.dataSync() as Float32Array;
      });
    };
    const ref = await run('cpu');
    expect(relErr(await run('wasm'), ref)).toBeLessThan(1e-6);
    expect(relErr(await run('wasm', builtinKernels.get('wasm/MaxPoolGrad')), ref)).toBeGreaterThan(0.1);
  });
});

describe('nearest-neighbour resize gradient (ResizeNearestNeighborGrad, replaced on wasm and cpu)', () => {
  // The gradient of a linear map is its adjoint: <resize(x), dy> = <x, dx>, with each backend's
  // own forward kernel as the reference.
  const modes: Array<[string, number[], [number, number], boolean, boolean]> = [
    ['2× upsample (FPN top-down), batch 2', [2, 5, 7, 3], [10, 14], false, false],
    ['non-multiple size', [2, 5, 7, 3], [9, 13], false, false],
    ['alignCorners', [2, 5, 7, 3], [9, 13], true, false],
    ['halfPixelCenters, downsample', [2, 5, 7, 3], [3, 4], false, true],
  ];
  for (const [name, shape, size, align, half] of modes) {
    for (const backend of ['wasm', 'cpu']) {
      it(`${name} on ${backend}`, async () => {
        await tf.setBackend(backend);
        const x = rand(shape, 24);
        const dy = rand([shape[0]!, size[0], size[1], shape[3]!], 25);
        const [y, dx] = tf.tidy(() => {
          const dyT = tf.tensor(dy.data, dy.shape);
          const f = (a: tf.Tensor) => tf.image.resizeNearestNeighbor(a as tf.Tensor4D, size, align, half);
          const xt = tf.tensor(x.data, x.shape);
          return [f(xt).dataSync(), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(f(a), dyT)))(xt).dataSync()];
        });
        let lhs = 0; let rhs = 0; let mag = 0;
        for (let i = 0; i < y!.length; i++) { lhs += y![i]! * dy.data[i]!; mag += Math.abs(y![i]! * dy.data[i]!); }
        for (let i = 0; i < x.data.length; i++) rhs += x.data[i]! * dx![i]!;
        expect(Math.abs(lhs - rhs)).toBeLessThan(1e-5 * mag);
        expect(mag).toBeGreaterThan(1);
      });
    }
  }
});

describe('memory', () => {
  it('kernels free their intermediates on the wasm heap', async () => {
    await tf.setBackend('wasm');
    const b = tf.backend() as unknown as { numDataIds(): number };
    const step = () => tf.tidy(() => {
      const x = tf.tensor(rand([2, 9, 7, 4], 30).data, [2, 9, 7, 4]);
      const w = tf.tensor(rand([3, 3, 4, 5], 31).data, [3, 3, 4, 5]);
      const loss = (a: tf.Tensor, f: tf.Tensor) => {
        const y = tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, 2, 'same');
        const up = tf.image.resizeNearestNeighbor(tf.maxPool(y, 3, 2, 'same'), [5, 4]);
        return tf.sum(tf.gather(tf.reshape(up, [-1]), tf.tensor1d([0, 3, 3], 'int32')));
      };
      tf.grads(loss)([x, w]).forEach((g) => g.dataSync());
    });
    step();
    const before = b.numDataIds();
    step();
    const g = convGeometry([2, 9, 7, 4], [3, 3, 4, 5], { strides: [2, 2], pad: 'same' } as unknown as tf.NamedAttrMap);
    tf.tidy(() => {
      const dy = tf.ones([2, 5, 4, 5]);
      const w = tf.ones([3, 3, 4, 5]);
      for (const mode of ['merged', 'separate'] as const) tf.engine().makeTensorFromTensorInfo(conv2dBackpropInputWasm(tf.backend() as never, dy, w, g, mode));
      tf.engine().makeTensorFromTensorInfo(conv2dBackpropFilterWasm(tf.backend() as never, tf.ones([2, 9, 7, 4]), dy, g, 1));
    });
    expect(b.numDataIds()).toBe(before);
  });
});
