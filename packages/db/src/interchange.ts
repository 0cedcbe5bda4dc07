import type { PlannedAnnotation } from '@segmenta/coco';
import type { Db } from './client';

/**
 * Writes an import plan in one transaction: the new classes, then every annotation, and a bump of each
 * touched image's annotation-set version (editors holding the old version get a 409, not a silent
 * overwrite). Either all of it lands or none of it.
 */
export async function applyAnnotationImport(db: Db, projectId: string, annotations: readonly PlannedAnnotation[], newClasses: readonly string[], palette: readonly string[]) {
  return db.$transaction(async (tx) => {
    const last = await tx.labelClass.findFirst({ where: { projectId }, orderBy: { order: 'desc' }, select: { order: true } });
    const created = new Map<string, string>();
    let order = (last?.order ?? -1) + 1;
    for (const name of newClasses) {
      const cls = await tx.labelClass.create({ data: { projectId, name, color: palette[order % palette.length]!, order } });
      created.set(name, cls.id);
      order++;
    }
    await tx.annotation.createMany({
      data: annotations.map((a) => ({
        imageId: String(a.imageId),
        labelClassId: a.classId !== null ? String(a.classId) : created.get(a.newClassName!)!,
        polygons: a.polygons.map((r) => [...r]),
        rle: a.rle ? { size: a.rle.size, counts: a.rle.counts } : undefined,
        bboxX: a.bbox[0],
        bboxY: a.bbox[1],
        bboxW: a.bbox[2],
        bboxH: a.bbox[3],
        area: a.area,
        iscrowd: a.iscrowd === 1,
        source: 'imported' as const,
      })),
    });
    const imageIds = [...new Set(annotations.map((a) => String(a.imageId)))];
    await tx.image.updateMany({ where: { id: { in: imageIds }, status: 'unlabelled' }, data: { status: 'in_progress' } });
    await tx.image.updateMany({ where: { id: { in: imageIds } }, data: { annotationsVersion: { increment: 1 } } });
    return { annotations: annotations.length, images: imageIds.length, createdClasses: [...created.keys()] };
  }, { timeout: 60_000 });
}

/** Everything an export needs, for the whole project or one split. */
export async function loadExportData(db: Db, projectId: string, split?: 'train' | 'val' | 'test' | 'unassigned') {
  const [project, classes, images] = await Promise.all([
    db.project.findUniqueOrThrow({ where: { id: projectId }, select: { name: true } }),
    db.labelClass.findMany({ where: { projectId }, orderBy: { order: 'asc' }, select: { id: true, name: true, order: true } }),
    db.image.findMany({
      where: { projectId, ...(split ? { split } : {}) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      select: { id: true, fileName: true, width: true, height: true, originalKey: true, annotations: { orderBy: { createdAt: 'asc' } } },
    }),
  ]);
  return { project, classes, images };
}
