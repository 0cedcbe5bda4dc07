import { DEFAULT_CLASSES, splits, type CreateProjectBody, type ProjectDto, type ProjectSummaryDto, type Split } from '@segmenta/contracts';
import type { Db } from './client';
import { deleteUnreferencedBlobs } from './blob-gc';
import { imageBlobKeys } from './images';
import type { BlobStore } from './storage/blob-store';

/** Creates a project and its ordered classes in one transaction (the default ten unless given). */
/** `ownerId`: the user who becomes the project's owner (project role admin), so they can manage its members. */
export async function createProject(db: Db, body: CreateProjectBody, ownerId?: string): Promise<ProjectDto> {
  const classes = body.classes ?? DEFAULT_CLASSES;
  const project = await db.project.create({
    data: {
      name: body.name,
      description: body.description ?? '',
      classes: {
        create: classes.map((c, order) => ({
          name: c.name,
          color: c.color ?? DEFAULT_CLASSES[order % DEFAULT_CLASSES.length]!.color,
          order,
          hotkey: order < 10 ? String((order + 1) % 10) : null,
        })),
      },
      ...(ownerId ? { members: { create: { userId: ownerId, role: 'admin' as const } } } : {}),
    },
  });
  const dto = await getProject(db, project.id);
  if (!dto) throw new Error('project vanished right after it was created');
  return dto;
}

/** `onlyIds`: the projects a non-admin belongs to (null or absent: all). */
export async function listProjects(db: Db, opts: { includeArchived?: boolean; onlyIds?: string[] | null } = {}): Promise<ProjectSummaryDto[]> {
  const projects = await db.project.findMany({
    where: { ...(opts.includeArchived ? {} : { archivedAt: null }), ...(opts.onlyIds ? { id: { in: opts.onlyIds } } : {}) },
    orderBy: { createdAt: 'desc' },
    include: { _count: { select: { images: true } } },
  });
  const annotationCounts = await db.annotation.groupBy({
    by: ['imageId'],
    _count: { _all: true },
    where: { image: { projectId: { in: projects.map((p) => p.id) } } },
  });
  // groupBy cannot group through a relation, so fold image-level counts into projects.
  const imageProject = new Map(
    (await db.image.findMany({ where: { id: { in: annotationCounts.map((a) => a.imageId) } }, select: { id: true, projectId: true } })).map((i) => [i.id, i.projectId]),
  );
  const perProject = new Map<string, number>();
  for (const row of annotationCounts) {
    const pid = imageProject.get(row.imageId);
    if (pid) perProject.set(pid, (perProject.get(pid) ?? 0) + row._count._all);
  }
  return projects.map((p) => ({
    id: p.id,
    name: p.name,
    description: p.description,
    archived: p.archivedAt !== null,
    createdAt: p.createdAt.toISOString(),
    imageCount: p._count.images,
    annotationCount: perProject.get(p.id) ?? 0,
  }));
}

export async function getProject(db: Db, id: string): Promise<ProjectDto | null> {
  const project = await db.project.findUnique({
    where: { id },
    include: { classes: { orderBy: { order: 'asc' } }, _count: { select: { images: true } } },
  });
  if (!project) return null;
  const [bySplit, byClass] = await Promise.all([
    db.image.groupBy({ by: ['split'], where: { projectId: id }, _count: { _all: true } }),
    db.annotation.groupBy({ by: ['labelClassId'], where: { image: { projectId: id } }, _count: { _all: true } }),
  ]);
  const splitCounts = Object.fromEntries(splits.map((s) => [s, 0])) as Record<Split, number>;
  for (const row of bySplit) splitCounts[row.split] = row._count._all;
  const classCounts: Record<string, number> = Object.fromEntries(project.classes.map((c) => [c.id, 0]));
  let annotationCount = 0;
  for (const row of byClass) {
    classCounts[row.labelClassId] = row._count._all;
    annotationCount += row._count._all;
  }
  return {
    id: project.id,
    name: project.name,
    description: project.description,
    archived: project.archivedAt !== null,
    createdAt: project.createdAt.toISOString(),
    imageCount: project._count.images,
    annotationCount,
    classes: project.classes.map((c) => ({ id: c.id, name: c.name, color: c.color, hotkey: c.hotkey, order: c.order })),
    splitCounts,
    classCounts,
  };
}

export async function findProjectByName(db: Db, name: string) {
  return db.project.findFirst({ where: { name }, orderBy: { createdAt: 'asc' } });
}

export async function updateProject(db: Db, id: string, body: { name?: string; description?: string; archived?: boolean }): Promise<ProjectDto | null> {
  const exists = await db.project.findUnique({ where: { id }, select: { id: true } });
  if (!exists) return null;
  await db.project.update({
    where: { id },
    data: {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.archived !== undefined ? { archivedAt: body.archived ? new Date() : null } : {}),
    },
  });
  return getProject(db, id);
}

/** Deletes the project and everything in it (rows cascade), then the files no other project uses. */
export async function deleteProject(db: Db, store: BlobStore, id: string): Promise<boolean> {
  const images = await db.image.findMany({ where: { projectId: id }, select: { originalKey: true, webKey: true, thumbKey: true } });
  const { count } = await db.project.deleteMany({ where: { id } });
  if (count === 0) return false;
  await deleteUnreferencedBlobs(db, store, images.flatMap(imageBlobKeys));
  return true;
}
