import { DEFAULT_CLASSES, type Split } from '@segmenta/contracts';
import { instanceRasterArea, polygonsBbox } from '@segmenta/coco';
import { getProject, type BlobRef, type BlobStore, type Db } from '@segmenta/db';
import { processUpload, renderScene, seededRandom } from '@segmenta/imaging';

/** Fixed id: running the seed twice finds the project instead of making a second one. */
export const DEMO_PROJECT_ID = '5e9a7d00-0000-4000-8000-00000000de70';
export const DEMO_PROJECT_NAME = 'Campus demo';
export const DEMO_IMAGE_COUNT = 36;

/** 70/15/15 as the origin project split train/valid/test. */
function splitFor(index: number, count: number): Split {
  const f = index / count;
  return f < 0.7 ? 'train' : f < 0.85 ? 'val' : 'test';
}

/**
 * Seeds the demo project: the default ten classes and generated campus-like scenes (shapes on textured
 * backgrounds) with polygon annotations, split train/val/test. Files are written first
 * (content-addressed, so re-writing is harmless), then every row in one transaction: a failure leaves
 * no half-seeded project. Returns false when the project already exists.
 */
export async function seedDemoProject(db: Db, store: BlobStore, opts: { imageCount?: number } = {}): Promise<boolean> {
  if (await db.project.findUnique({ where: { id: DEMO_PROJECT_ID } })) return false;
  const count = opts.imageCount ?? DEMO_IMAGE_COUNT;
  const rand = seededRandom(20261127);
  const images: {
    index: number;
    scene: Awaited<ReturnType<typeof renderScene>>;
    processed: Awaited<ReturnType<typeof processUpload>>;
    original: BlobRef;
    web: BlobRef;
    thumb: BlobRef;
  }[] = [];
  for (let i = 0; i < count; i++) {
    const scene = await renderScene({
      width: 640,
      height: 480,
      classCount: DEFAULT_CLASSES.length,
      colors: DEFAULT_CLASSES.map((c) => c.color),
      minInstances: 1,
      maxInstances: 5,
      seed: Math.floor(rand() * 2 ** 31),
    });
    const processed = await processUpload(scene.png);
    const [original, web, thumb] = await Promise.all([
      store.put(processed.original, processed.ext),
      store.put(processed.web, 'jpg'),
      store.put(processed.thumb, 'webp'),
    ]);
    images.push({ index: i, scene, processed, original, web, thumb });
  }

  await db.$transaction(async (tx) => {
    await tx.project.create({
      data: {
        id: DEMO_PROJECT_ID,
        name: DEMO_PROJECT_NAME,
        description: 'Generated scenes with polygon annotations for the ten default campus classes.',
        classes: { create: DEFAULT_CLASSES.map((c, order) => ({ name: c.name, color: c.color, order, hotkey: String((order + 1) % 10) })) },
      },
    });
    const classes = await tx.labelClass.findMany({ where: { projectId: DEMO_PROJECT_ID }, orderBy: { order: 'asc' } });
    for (const img of images) {
      await tx.image.create({
        data: {
          projectId: DEMO_PROJECT_ID,
          sha256: img.original.sha256,
          fileName: `campus-${String(img.index + 1).padStart(3, '0')}.png`,
          mimeType: img.processed.mimeType,
          width: img.processed.width,
          height: img.processed.height,
          sizeBytes: img.original.size,
          split: splitFor(img.index, count),
          status: 'done',
          originalKey: img.original.key,
          webKey: img.web.key,
          thumbKey: img.thumb.key,
          annotations: {
            create: img.scene.instances.map((inst) => {
              const rings = [inst.polygon];
              const [x, y, w, h] = polygonsBbox(rings);
              return {
                labelClassId: classes[inst.classIndex]!.id,
                polygons: rings,
                bboxX: x,
                bboxY: y,
                bboxW: w,
                bboxH: h,
                // As the editor stores it: the rasterised instance's pixels.
                area: instanceRasterArea(rings, img.processed.height, img.processed.width),
                source: 'imported' as const,
              };
            }),
          },
        },
      });
    }
  }, { timeout: 60_000 });
  return true;
}

export async function describeDemo(db: Db): Promise<string> {
  const p = await getProject(db, DEMO_PROJECT_ID);
  if (!p) return 'demo project missing';
  const s = p.splitCounts;
  return `"${p.name}": ${p.imageCount} images (train ${s.train}, val ${s.val}, test ${s.test}), ${p.annotationCount} annotations, ${p.classes.length} classes`;
}
