// The labelling workflow around one image: its status (annotator marks done or asks for review, a
// reviewer accepts or rejects with a comment) and where it sits in the gallery's order.

import { AppError, type ImageNeighboursDto, type ImageStatus, type SetImageStatusBody, type Split } from '@segmenta/contracts';
import type { Db } from './client';
import type { Prisma } from './generated/prisma/client';

/** A reviewer's verdict needs something to review. */
const REVIEWABLE: readonly ImageStatus[] = ['done', 'needs_review', 'reviewed', 'rejected'];

export async function setImageStatus(db: Db, imageId: string, body: SetImageStatusBody): Promise<{ status: ImageStatus; reviewComment: string | null }> {
  return db.$transaction(async (tx) => {
    const image = await tx.image.findUnique({ where: { id: imageId }, select: { status: true, reviewComment: true, _count: { select: { annotations: true } } } });
    if (!image) throw new AppError('not_found', `Image ${imageId} does not exist`);
    const verdict = body.status === 'reviewed' || body.status === 'rejected';
    if (verdict && !REVIEWABLE.includes(image.status)) {
      throw new AppError('conflict', `Image ${imageId} is "${image.status.replace('_', ' ')}"; it can be accepted or rejected once it is marked done or sent for review`, [{ path: 'status', message: `cannot go from ${image.status} to ${body.status}` }]);
    }
    if (body.status === 'unlabelled' && image._count.annotations > 0) {
      throw new AppError('conflict', `Image ${imageId} has ${image._count.annotations} annotation(s); delete them before marking it unlabelled`, [{ path: 'status', message: 'the image has annotations' }]);
    }
    const data: Prisma.ImageUpdateInput = { status: body.status };
    if (verdict) {
      data.reviewComment = body.comment ?? null;
      data.reviewedAt = new Date();
    } else if (body.comment !== undefined) data.reviewComment = body.comment;
    const updated = await tx.image.update({ where: { id: imageId }, data, select: { status: true, reviewComment: true } });
    return updated;
  });
}

/**
 * Previous/next in the gallery's order (newest first, id breaking ties) under the same filters,
 * and the next image still unlabelled, wrapping around to the start.
 */
export async function imageNeighbours(db: Db, imageId: string, filter: { split?: Split; status?: ImageStatus }): Promise<ImageNeighboursDto | null> {
  const image = await db.image.findUnique({ where: { id: imageId }, select: { projectId: true, createdAt: true } });
  if (!image) return null;
  const base: Prisma.ImageWhereInput = { projectId: image.projectId, ...(filter.split ? { split: filter.split } : {}), ...(filter.status ? { status: filter.status } : {}) };
  const { createdAt: c } = image;
  const before: Prisma.ImageWhereInput = { OR: [{ createdAt: { gt: c } }, { createdAt: c, id: { gt: imageId } }] };
  const after: Prisma.ImageWhereInput = { OR: [{ createdAt: { lt: c } }, { createdAt: c, id: { lt: imageId } }] };
  const desc = [{ createdAt: 'desc' as const }, { id: 'desc' as const }];
  const asc = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];
  const unlabelled: Prisma.ImageWhereInput = { projectId: image.projectId, status: 'unlabelled', id: { not: imageId } };
  const [previous, next, ahead, wrapped, earlier, total] = await Promise.all([
    db.image.findFirst({ where: { AND: [base, before] }, orderBy: asc, select: { id: true } }),
    db.image.findFirst({ where: { AND: [base, after] }, orderBy: desc, select: { id: true } }),
    db.image.findFirst({ where: { AND: [unlabelled, after] }, orderBy: desc, select: { id: true } }),
    db.image.findFirst({ where: unlabelled, orderBy: desc, select: { id: true } }),
    db.image.count({ where: { AND: [base, before] } }),
    db.image.count({ where: base }),
  ]);
  return { previous: previous?.id ?? null, next: next?.id ?? null, nextUnlabelled: (ahead ?? wrapped)?.id ?? null, position: earlier + 1, total };
}
