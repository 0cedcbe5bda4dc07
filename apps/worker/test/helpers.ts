import { randomUUID } from 'node:crypto';
import { instanceRasterArea, polygonsBbox } from '@segmenta/coco';
import { loadServerEnv } from '@segmenta/contracts';
import { createProject, type BlobStore, type Db } from '@segmenta/db';
import { processUpload, renderScene } from '@segmenta/imaging';

/** Integration tests use the test database and a queue prefix of their own, so runs never collide. */
export function testEnv() {
  const env = loadServerEnv();
  if (!/_test$/.test(new URL(env.DATABASE_URL).pathname)) {
    throw new Error('refusing to run against a non-test database: run the tests through `npm test`');
  }
  return { ...env, QUEUE_PREFIX: `${env.QUEUE_PREFIX}-${randomUUID().slice(0, 8)}` };
}

export async function until<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 20_000): Promise<T> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * A project of generated scenes with their polygons as annotations, stored as the upload path would
 * store them, split by `splits` (one entry per image). Seeds are fixed so a failure reproduces.
 */
export async function annotatedProject(db: Db, store: BlobStore, name: string, splits: ('train' | 'val' | 'test')[], opts: { size?: (i: number) => [number, number] } = {}) {
  const project = await createProject(db, { name: `${name} ${Date.now()}`, classes: [{ name: 'a' }, { name: 'b' }] });
  const salt = 4_242;
  for (const [i, split] of splits.entries()) {
    const [width, height] = opts.size?.(i) ?? [160, 120];
    const scene = await renderScene({ width, height, classCount: 2, seed: salt * 10 + i, minInstances: 1, maxInstances: 2 });
    const p = await processUpload(scene.png);
    const [o, w, t] = await Promise.all([store.put(p.original, p.ext), store.put(p.web, 'jpg'), store.put(p.thumb, 'webp')]);
    await db.image.create({
      data: {
        projectId: project.id, sha256: o.sha256, fileName: `s${i}.png`, mimeType: p.mimeType, width: p.width, height: p.height, sizeBytes: o.size,
        originalKey: o.key, webKey: w.key, thumbKey: t.key, split,
        annotations: {
          create: scene.instances.map((inst) => {
            const [x, y, bw, bh] = polygonsBbox([inst.polygon]);
            return { labelClassId: project.classes[inst.classIndex]!.id, polygons: [inst.polygon], bboxX: x, bboxY: y, bboxW: bw, bboxH: bh, area: instanceRasterArea([inst.polygon], p.height, p.width) };
          }),
        },
      },
    });
  }
  return project;
}
