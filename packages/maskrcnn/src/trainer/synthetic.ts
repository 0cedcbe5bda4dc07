import { decodeRle, polygonsToRle } from '@segmenta/coco';
import { renderScene, type SceneOptions } from '@segmenta/imaging';
import { decodeRgb, type TrainingSample } from './data';

/** A generated shapes scene as a training sample: label = classIndex + 1, masks rasterised as COCO does. */
export async function syntheticSample(id: number, opts: SceneOptions): Promise<TrainingSample> {
  const scene = await renderScene(opts);
  const { pixels, width, height } = await decodeRgb(scene.png);
  const hw = width * height;
  const masks = new Uint8Array(scene.instances.length * hw);
  const boxes = new Float32Array(scene.instances.length * 4);
  scene.instances.forEach((inst, k) => {
    masks.set(decodeRle(polygonsToRle([inst.polygon], height, width)), k * hw);
    const xs = inst.polygon.filter((_, i) => i % 2 === 0);
    const ys = inst.polygon.filter((_, i) => i % 2 === 1);
    boxes.set([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)], k * 4);
  });
  return { id, fileName: `synthetic-${id}.png`, width, height, pixels, target: { boxes, labels: Int32Array.from(scene.instances.map((i) => i.classIndex + 1)), masks } };
}
