import { instanceRasterArea, polygonsBbox } from '@segmenta/coco';
import type { ProjectDto, UploadResultDto } from '@segmenta/contracts';
import type { Db } from '@segmenta/db';
import { renderScene } from '@segmenta/imaging';

const post = (base: string, p: string, body: unknown) => fetch(`${base}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/**
 * A small annotated project through the real API: generated scenes uploaded, their polygons written as
 * annotations (the editor issue brings an annotation API; until then directly), split 4/1/1.
 */
export async function annotatedProject(base: string, db: Db, name: string): Promise<ProjectDto> {
  const project = (await (await post(base, '/api/projects', { name: `${name} ${Date.now()}`, classes: [{ name: 'circle' }, { name: 'square' }] })).json()) as ProjectDto;
  const salt = Date.now() % 100_000;
  const scenes = await Promise.all(Array.from({ length: 6 }, (_, i) => renderScene({ width: 160, height: 120, classCount: 2, seed: salt * 10 + i, minInstances: 1, maxInstances: 3 })));
  const form = new FormData();
  scenes.forEach((s, i) => form.append('files', new Blob([new Uint8Array(s.png)]), `scene-${i}.png`));
  const uploaded = (await (await fetch(`${base}/api/projects/${project.id}/images`, { method: 'POST', body: form })).json()) as UploadResultDto;
  if (uploaded.images.length !== 6) throw new Error(`upload failed: ${JSON.stringify(uploaded.errors)}`);
  for (const [i, img] of uploaded.images.entries()) {
    await db.annotation.createMany({
      data: scenes[i]!.instances.map((inst) => {
        const [x, y, w, h] = polygonsBbox([inst.polygon]);
        return { imageId: img.id, labelClassId: project.classes[inst.classIndex]!.id, polygons: [inst.polygon], bboxX: x, bboxY: y, bboxW: w, bboxH: h, area: instanceRasterArea([inst.polygon], 120, 160) };
      }),
    });
  }
  const ids = uploaded.images.map((i) => i.id);
  await post(base, `/api/projects/${project.id}/splits`, { imageIds: ids.slice(0, 4), split: 'train' });
  await post(base, `/api/projects/${project.id}/splits`, { imageIds: ids.slice(4, 5), split: 'val' });
  await post(base, `/api/projects/${project.id}/splits`, { imageIds: ids.slice(5), split: 'test' });
  return project;
}
