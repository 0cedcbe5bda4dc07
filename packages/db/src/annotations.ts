// One image's annotation set as the editor reads and replaces it. A save replaces the whole set in
// one transaction guarded by the image's `annotationsVersion`, so two tabs cannot interleave and a
// refused save changes nothing.

import { randomUUID } from 'node:crypto';
import { clampRing, editableRingProblem, instanceRasterArea, polygonsBbox, ringSelfIntersects, type Ring } from '@segmenta/coco';
import {
  AppError,
  type AnnotationDto,
  type AnnotationFlag,
  type AnnotationSource,
  type ErrorDetail,
  type ImageAnnotationsDto,
  type PutAnnotationsBody,
  type SavedAnnotationsDto,
} from '@segmenta/contracts';
import type { Db } from './client';
import type { Prisma } from './generated/prisma/client';

const annotationSelect = {
  id: true,
  labelClassId: true,
  labelClass: { select: { name: true } },
  polygons: true,
  rle: true,
  bboxX: true,
  bboxY: true,
  bboxW: true,
  bboxH: true,
  area: true,
  iscrowd: true,
  source: true,
} as const;

type AnnotationRow = Prisma.AnnotationGetPayload<{ select: typeof annotationSelect }>;

function toDto(row: AnnotationRow): AnnotationDto {
  const polygons = row.polygons as number[][];
  const flags: AnnotationFlag[] = polygons.some((r) => ringSelfIntersects(r)) ? ['self_intersecting'] : [];
  return {
    id: row.id,
    classId: row.labelClassId,
    className: row.labelClass.name,
    polygons,
    bbox: [row.bboxX, row.bboxY, row.bboxW, row.bboxH],
    area: row.area,
    iscrowd: row.iscrowd ? 1 : 0,
    source: row.source,
    flags,
  };
}

// Creation order is the order the annotator drew in; the editor lists regions that way.
const ordered = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];

export async function getImageAnnotations(db: Pick<Db, 'image'>, imageId: string): Promise<ImageAnnotationsDto | null> {
  const image = await db.image.findUnique({
    where: { id: imageId },
    select: { id: true, projectId: true, width: true, height: true, annotationsVersion: true, status: true, reviewComment: true, annotations: { select: annotationSelect, orderBy: ordered } },
  });
  if (!image) return null;
  return {
    imageId: image.id,
    projectId: image.projectId,
    width: image.width,
    height: image.height,
    version: image.annotationsVersion,
    status: image.status,
    reviewComment: image.reviewComment,
    annotations: image.annotations.map(toDto),
  };
}

interface PlannedRow {
  id: string;
  labelClassId: string;
  className: string;
  flags: AnnotationFlag[];
  polygons: Ring[];
  rle: Prisma.InputJsonValue | null;
  bbox: [number, number, number, number];
  area: number;
  iscrowd: boolean;
  source: AnnotationSource;
  /** An instance the save leaves as it was keeps its author; `undefined`: whoever saves now. */
  authorId?: string | null;
}

type Existing = { id: string; labelClassId: string; polygons: unknown; rle: unknown; bboxX: number; bboxY: number; bboxW: number; bboxH: number; area: number; iscrowd: boolean; source: AnnotationSource; authorId: string | null };

const sameRings = (a: Ring[], b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Validates every instance against the image and its project's classes, collecting all problems
 * with their JSON paths; returns the rows to store and the warnings to report.
 */
function planRows(
  body: PutAnnotationsBody,
  image: { width: number; height: number },
  classes: { id: string; name: string }[],
  existing: Map<string, Existing>,
): { rows: PlannedRow[]; errors: ErrorDetail[]; warnings: ErrorDetail[] } {
  const byId = new Map(classes.map((c) => [c.id, c]));
  const byName = new Map(classes.map((c) => [c.name.toLowerCase(), c]));
  const errors: ErrorDetail[] = [];
  const warnings: ErrorDetail[] = [];
  const rows: PlannedRow[] = [];
  const seenIds = new Set<string>();
  body.annotations.forEach((a, i) => {
    const at = `annotations[${i}]`;
    const cls = a.classId !== undefined ? byId.get(a.classId) : byName.get(a.className!.toLowerCase());
    if (!cls) {
      if (a.classId !== undefined) errors.push({ path: `${at}.classId`, message: `class ${a.classId} is not a class of this project` });
      else errors.push({ path: `${at}.className`, message: `no class named "${a.className}" in this project (${classes.map((c) => c.name).join(', ') || 'it has none'})` });
    }
    let prior = a.id !== undefined ? existing.get(a.id) : undefined;
    if (a.id !== undefined) {
      if (seenIds.has(a.id)) errors.push({ path: `${at}.id`, message: `id ${a.id} appears twice in this save` });
      seenIds.add(a.id);
    }
    if (a.polygons.length === 0) {
      // Only a stored crowd region (RLE) travels without polygons: the editor cannot draw it.
      if (!prior?.rle) errors.push({ path: `${at}.polygons`, message: 'needs at least one polygon (only an existing RLE crowd region may be sent without)' });
      else if (cls) {
        rows.push({ id: prior.id, labelClassId: cls.id, className: cls.name, flags: [], polygons: [], rle: prior.rle as Prisma.InputJsonValue, bbox: [prior.bboxX, prior.bboxY, prior.bboxW, prior.bboxH], area: prior.area, iscrowd: prior.iscrowd, ...(prior.labelClassId === cls.id ? { source: prior.source, authorId: prior.authorId } : { source: 'manual' as const }) });
      }
      return;
    }
    const rings: Ring[] = [];
    let crossed = false;
    let ok = true;
    a.polygons.forEach((raw, r) => {
      const { ring, clamped } = clampRing(raw, image.width, image.height);
      const clampedProblem = clamped ? editableRingProblem(ring) : null;
      if (clamped && !clampedProblem) warnings.push({ path: `${at}.polygons[${r}]`, message: `points outside the ${image.width}×${image.height} image were moved onto its edge` });
      const problem = editableRingProblem(raw) ?? (clampedProblem && `lies outside the ${image.width}×${image.height} image`);
      if (problem) {
        errors.push({ path: `${at}.polygons[${r}]`, message: `polygon ${problem}` });
        ok = false;
      } else {
        if (ringSelfIntersects(ring)) {
          crossed = true;
          warnings.push({ path: `${at}.polygons[${r}]`, message: 'polygon crosses itself; saved and flagged so it can be fixed' });
        }
        rings.push(ring);
      }
    });
    if (!ok || !cls) return;
    if (prior && prior.rle) prior = undefined; // a crowd region redrawn as polygons is a new instance
    const untouched = prior !== undefined && prior.labelClassId === cls.id && sameRings(rings, prior.polygons);
    rows.push({
      id: prior?.id ?? randomUUID(),
      labelClassId: cls.id,
      className: cls.name,
      flags: crossed ? ['self_intersecting'] : [],
      polygons: rings,
      rle: null,
      bbox: polygonsBbox(rings),
      // The area is the rasterised instance's (holes cut), as pycocotools measures the exported mask.
      area: instanceRasterArea(rings, image.height, image.width),
      iscrowd: a.iscrowd === 1,
      source: untouched ? prior!.source : a.id === undefined && a.source === 'model' ? 'model' : 'manual',
      ...(untouched && prior!.iscrowd === (a.iscrowd === 1) ? { authorId: prior!.authorId } : {}),
    });
  });
  return { rows, errors, warnings };
}

type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** What one image's insert needs of each instance. */
export type AnnotationInsert = Pick<PlannedRow, 'id' | 'labelClassId' | 'polygons' | 'rle' | 'bbox' | 'area' | 'iscrowd' | 'source' | 'authorId'>;

/**
 * One INSERT for one image's instances: Prisma's createMany binds every column of every row as its own
 * parameter and took ~130 ms for 200 polygons; one JSON parameter expanded by PostgreSQL takes a
 * fraction of that. Rows get distinct timestamps so the drawing order survives a read.
 */
export async function insertAnnotationRows(tx: Tx, imageId: string, rows: readonly AnnotationInsert[], authorId: string | null): Promise<void> {
  if (rows.length === 0) return;
  const now = Date.now();
  const payload = rows.map((r, i) => ({
    id: r.id,
    labelClassId: r.labelClassId,
    polygons: r.polygons,
    rle: r.rle,
    bboxX: r.bbox[0],
    bboxY: r.bbox[1],
    bboxW: r.bbox[2],
    bboxH: r.bbox[3],
    area: r.area,
    iscrowd: r.iscrowd,
    source: r.source,
    authorId: r.authorId === undefined ? authorId : r.authorId,
    createdAt: new Date(now + i).toISOString(),
  }));
  await tx.$executeRaw`
    INSERT INTO "Annotation" ("id", "imageId", "labelClassId", "polygons", "rle", "bboxX", "bboxY", "bboxW", "bboxH", "area", "iscrowd", "source", "authorId", "createdAt", "updatedAt")
    SELECT r."id"::uuid, ${imageId}::uuid, r."labelClassId"::uuid, r."polygons", NULLIF(r."rle", 'null'::jsonb), r."bboxX", r."bboxY", r."bboxW", r."bboxH", r."area", r."iscrowd",
           r."source"::"AnnotationSource", r."authorId"::uuid, (r."createdAt"::timestamptz AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')
    FROM jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) AS r("id" text, "labelClassId" text, "polygons" jsonb, "rle" jsonb, "bboxX" float8, "bboxY" float8, "bboxW" float8, "bboxH" float8, "area" float8, "iscrowd" boolean, "source" text, "authorId" text, "createdAt" text)`;
}

/**
 * Replaces the image's annotations when `body.version` is current: 409 otherwise, 400 with every
 * bad instance's path when any is invalid; either way nothing is written.
 */
export async function saveImageAnnotations(db: Db, imageId: string, body: PutAnnotationsBody, authorId: string | null = null): Promise<SavedAnnotationsDto> {
  // Only the instances the client says it continues matter for keeping ids and sources.
  const continued = body.annotations.flatMap((a) => (a.id ? [a.id] : []));
  return db.$transaction(async (tx) => {
    const image = await tx.image.findUnique({
      where: { id: imageId },
      select: { projectId: true, width: true, height: true, status: true, reviewComment: true, annotationsVersion: true, annotations: { where: { id: { in: continued } }, select: { id: true, labelClassId: true, polygons: true, rle: true, bboxX: true, bboxY: true, bboxW: true, bboxH: true, area: true, iscrowd: true, source: true, authorId: true } } },
    });
    if (!image) throw new AppError('not_found', `Image ${imageId} does not exist`);
    const stale = () => new AppError('conflict', `The annotations of image ${imageId} changed since version ${body.version} (now version ${image.annotationsVersion}); reload them, or save again against the new version`, [{ path: 'version', message: `is ${body.version}; the current version is ${image.annotationsVersion}` }]);
    if (image.annotationsVersion !== body.version) throw stale();
    const classes = await tx.labelClass.findMany({ where: { projectId: image.projectId }, select: { id: true, name: true } });
    const { rows, errors, warnings } = planRows(body, image, classes, new Map(image.annotations.map((a) => [a.id, a])));
    if (errors.length > 0) {
      throw new AppError('validation_failed', `Annotations not saved: ${errors[0]!.path}: ${errors[0]!.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`, errors);
    }
    // The version check and bump are one statement, so a concurrent save that passed the read above still loses here.
    const status = image.status === 'unlabelled' && rows.length > 0 ? 'in_progress' : image.status;
    const bumped = await tx.image.updateMany({ where: { id: imageId, annotationsVersion: body.version }, data: { annotationsVersion: { increment: 1 }, status } });
    if (bumped.count !== 1) throw stale();
    await tx.annotation.deleteMany({ where: { imageId } });
    await insertAnnotationRows(tx, imageId, rows, authorId);
    // The answer is built from what was just written, not read back: the transaction makes them the same.
    const annotations: AnnotationDto[] = rows.map((r) => ({ id: r.id, classId: r.labelClassId, className: r.className, polygons: r.polygons, bbox: r.bbox, area: r.area, iscrowd: r.iscrowd ? 1 : 0, source: r.source, flags: r.flags }));
    return { imageId, projectId: image.projectId, width: image.width, height: image.height, version: body.version + 1, status, reviewComment: image.reviewComment, annotations, warnings };
  });
}
