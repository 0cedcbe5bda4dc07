import 'server-only';
import sharp from 'sharp';
import { zipSync } from 'fflate';
import { buildCocoExport, labelStudioToCoco, LabelStudioFormatError, planCocoImport, safeParseCocoFile, matchFileName, type CocoFile, type CocoIssue } from '@segmenta/coco';
import { AppError, DEFAULT_CLASSES, type ImportResultDto } from '@segmenta/contracts';
import { applyAnnotationImport, loadExportData } from '@segmenta/db';
import { getServer } from './context';
import { cleanFileName, ingestFiles } from './ingest';
import { looksLikeZip, readZip } from './zip';

type Upload = { name: string; bytes: Uint8Array };

const invalid = (what: string, issues: CocoIssue[]) =>
  new AppError('validation_failed', `Invalid ${what}: ${issues[0] ? `${issues[0].path}: ${issues[0].message}` : 'unusable'}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`, issues.map((i) => ({ path: i.path, message: i.message })));

/** Sizes of images sent along with the annotations, as they will be stored (EXIF orientation applied). */
async function probe(files: Upload[]): Promise<{ name: string; width: number; height: number }[]> {
  const out = [];
  for (const f of files.flatMap((f) => (looksLikeZip(f.bytes) ? readZip(f.bytes).entries : [f]))) {
    const meta = await sharp(f.bytes, { limitInputPixels: false }).metadata().catch(() => null);
    if (!meta?.width || !meta.height) continue; // reported by the upload itself
    const swap = (meta.orientation ?? 1) >= 5;
    out.push({ name: cleanFileName(f.name), width: swap ? meta.height : meta.width, height: swap ? meta.width : meta.height });
  }
  return out;
}

async function planFor(projectId: string, json: unknown, format: 'coco' | 'labelstudio', createMissingClasses: boolean, pending: { name: string; width: number; height: number }[]) {
  const { db } = getServer();
  const [classes, images] = await Promise.all([
    db.labelClass.findMany({ where: { projectId }, select: { id: true, name: true } }),
    db.image.findMany({ where: { projectId }, select: { id: true, fileName: true, width: true, height: true } }),
  ]);
  const known = new Set(images.map((i) => matchFileName(i.fileName)));
  const projectImages = [...images, ...pending.filter((p) => !known.has(matchFileName(p.name))).map((p, i) => ({ id: `pending:${i}`, fileName: p.name, width: p.width, height: p.height }))];
  let coco: CocoFile;
  const warnings: CocoIssue[] = [];
  if (format === 'labelstudio') {
    try {
      const sizes = new Map(projectImages.map((i) => [matchFileName(i.fileName), { width: i.width, height: i.height }]));
      const r = labelStudioToCoco(json, { sizeOf: (name) => sizes.get(matchFileName(name)) });
      coco = r.coco;
      warnings.push(...r.warnings);
    } catch (err) {
      if (err instanceof LabelStudioFormatError) throw invalid('Label Studio export', err.issues);
      throw err;
    }
  } else {
    const parsed = safeParseCocoFile(json);
    if (!parsed.ok) throw invalid('COCO file', parsed.issues);
    coco = parsed.data;
    warnings.push(...parsed.warnings);
  }
  const plan = planCocoImport({ coco, projectClasses: classes, projectImages, createMissingClasses });
  if (plan.errors.length) throw invalid('import', plan.errors);
  return { plan, warnings: [...warnings, ...plan.warnings], classCount: coco.categories.length };
}

/**
 * Import = plan against the project (and the images sent along, probed but not yet stored), refuse
 * on any error with nothing written, else store the new images, re-plan against their rows, and
 * write classes and annotations in one transaction.
 */
export async function importAnnotations(projectId: string, opts: { format: 'coco' | 'labelstudio'; dryRun: boolean; createMissingClasses: boolean; json: unknown; images: Upload[] }): Promise<ImportResultDto> {
  const { db, store } = getServer();
  if (!(await db.project.findUnique({ where: { id: projectId }, select: { id: true } }))) throw new AppError('not_found', `Project ${projectId} does not exist`);
  const pending = await probe(opts.images);
  const first = await planFor(projectId, opts.json, opts.format, opts.createMissingClasses, pending);
  const pendingUsed = first.plan.images.filter((i) => String(i.imageId).startsWith('pending:')).length;
  const summary = (plan: typeof first.plan, uploaded: number): ImportResultDto => ({
    dryRun: opts.dryRun,
    images: plan.images.length,
    annotations: plan.annotations.length,
    categories: { matched: first.classCount - plan.newClasses.length, created: plan.newClasses },
    uploaded,
    warnings: first.warnings.map((w) => ({ path: w.path, message: w.message })),
    errors: [],
  });
  if (opts.dryRun) return summary(first.plan, pendingUsed);
  let uploaded = 0;
  let plan = first.plan;
  if (opts.images.length) {
    const stored = await ingestFiles(db, store, projectId, opts.images);
    uploaded = stored.images.filter((i) => !i.duplicateOf).length;
    plan = (await planFor(projectId, opts.json, opts.format, opts.createMissingClasses, [])).plan;
  }
  await applyAnnotationImport(db, projectId, plan.annotations, plan.newClasses, DEFAULT_CLASSES.map((c) => c.color));
  return summary(plan, uploaded);
}

/** COCO for the project or one split; with images, a zip of annotations.json and images/. */
export async function exportCoco(projectId: string, split: 'train' | 'val' | 'test' | 'unassigned' | undefined, includeImages: boolean) {
  const { db, store } = getServer();
  if (!(await db.project.findUnique({ where: { id: projectId }, select: { id: true } }))) throw new AppError('not_found', `Project ${projectId} does not exist`);
  const data = await loadExportData(db, projectId, split);
  // File names must be unique inside a zip; a repeated name gets the image's position as a prefix.
  const seen = new Set<string>();
  const names = data.images.map((img, i) => {
    const key = img.fileName.toLowerCase();
    const name = seen.has(key) ? `${i + 1}-${img.fileName}` : img.fileName;
    seen.add(key);
    return name;
  });
  const coco = buildCocoExport({
    project: data.project,
    classes: data.classes,
    images: data.images.map((img, i) => ({ id: img.id, fileName: names[i]!, width: img.width, height: img.height })),
    annotations: data.images.flatMap((img) =>
      img.annotations.map((a) => ({
        id: a.id,
        imageId: img.id,
        classId: a.labelClassId,
        polygons: a.polygons as number[][],
        rle: (a.rle as { size: [number, number]; counts: string } | null) ?? null,
        bbox: [a.bboxX, a.bboxY, a.bboxW, a.bboxH] as [number, number, number, number],
        area: a.area,
        iscrowd: a.iscrowd ? (1 as const) : (0 as const),
      })),
    ),
  });
  const json = new TextEncoder().encode(JSON.stringify(coco));
  if (!includeImages) return { body: json, type: 'application/json', ext: 'json' };
  const files: Record<string, Uint8Array | [Uint8Array, { level: 0 }]> = { 'annotations.json': json };
  for (const [i, img] of data.images.entries()) files[`images/${names[i]}`] = [new Uint8Array(await store.get(img.originalKey)), { level: 0 }];
  return { body: zipSync(files), type: 'application/zip', ext: 'zip' };
}
