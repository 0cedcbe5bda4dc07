import { AppError, DEFAULT_CLASSES } from '@segmenta/contracts';
import type { Db } from './client';

/** 409: the class still labels annotations and the caller did not say what to do with them. */
export class ClassInUseError extends AppError {
  constructor(
    readonly className: string,
    readonly annotationCount: number,
  ) {
    super('conflict', `Class "${className}" is used by ${annotationCount} annotation(s); merge it into another class, or delete with ?annotations=delete`);
    this.name = 'ClassInUseError';
  }
}

export async function addClass(db: Db, projectId: string, input: { name: string; color?: string; hotkey?: string | null }) {
  const last = await db.labelClass.findFirst({ where: { projectId }, orderBy: { order: 'desc' }, select: { order: true } });
  const order = (last?.order ?? -1) + 1;
  return db.labelClass.create({
    data: { projectId, name: input.name, color: input.color ?? DEFAULT_CLASSES[order % DEFAULT_CLASSES.length]!.color, hotkey: input.hotkey ?? null, order },
  });
}

export async function updateClass(db: Db, id: string, input: { name?: string; color?: string; hotkey?: string | null; order?: number }) {
  return db.labelClass.update({ where: { id }, data: input });
}

/** Moves every annotation (and prediction) of `fromId` to `intoId`, then removes `fromId`: one transaction. */
export async function mergeClasses(db: Db, fromId: string, intoId: string): Promise<{ moved: number }> {
  return db.$transaction(async (tx) => {
    const [from, into] = await Promise.all([tx.labelClass.findUniqueOrThrow({ where: { id: fromId } }), tx.labelClass.findUniqueOrThrow({ where: { id: intoId } })]);
    if (from.projectId !== into.projectId) throw new AppError('bad_request', `Class ${intoId} belongs to another project`, [{ path: 'into', message: 'must be a class of the same project' }]);
    if (from.id === into.id) throw new AppError('bad_request', 'A class cannot be merged into itself', [{ path: 'into', message: 'must differ from the class being merged' }]);
    const { count } = await tx.annotation.updateMany({ where: { labelClassId: fromId }, data: { labelClassId: intoId } });
    await tx.prediction.updateMany({ where: { labelClassId: fromId }, data: { labelClassId: intoId } });
    await tx.labelClass.delete({ where: { id: fromId } });
    return { moved: count };
  });
}

/** Refuses to delete a class still in use unless told to delete its annotations too. */
export async function deleteClass(db: Db, id: string, annotations: 'refuse' | 'delete'): Promise<{ deletedAnnotations: number }> {
  return db.$transaction(async (tx) => {
    const cls = await tx.labelClass.findUniqueOrThrow({ where: { id }, include: { _count: { select: { annotations: true } } } });
    if (cls._count.annotations > 0 && annotations === 'refuse') throw new ClassInUseError(cls.name, cls._count.annotations);
    await tx.labelClass.delete({ where: { id } });
    return { deletedAnnotations: cls._count.annotations };
  });
}
