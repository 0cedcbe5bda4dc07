// What importing a COCO file into a project would do, decided without touching storage: which
// project image each COCO image is, which class each category is (or which classes to create),
// and every annotation's geometry in the stored form (polygon rings, or RLE for crowds). The route
// applies the plan in one transaction, and only when `errors` is empty.

import { geometryOf, outsideImage, type PlannedGeometry } from './plan-geometry';
import type { CocoFile, CocoIssue } from '../schema';
import { matchFileName } from './filename';

export interface ProjectClassRef {
  id: string | number;
  name: string;
}
export interface ProjectImageRef {
  id: string | number;
  fileName: string;
  width: number;
  height: number;
}

export interface PlanCocoImportInput {
  /** A parsed file (parseCocoFile), so every annotation has a bbox and an area. */
  coco: CocoFile;
  projectClasses: readonly ProjectClassRef[];
  projectImages: readonly ProjectImageRef[];
  createMissingClasses: boolean;
}

export interface PlannedImage {
  imageId: string | number;
  cocoImageId: number;
  fileName: string;
}

export interface PlannedAnnotation extends PlannedGeometry {
  cocoAnnotationId: number;
  imageId: string | number;
  /** The existing class, or null when the annotation goes to the class `newClassName` that the import creates. */
  classId: string | number | null;
  newClassName: string | null;
}

export interface CocoImportPlan {
  images: PlannedImage[];
  annotations: PlannedAnnotation[];
  /** Classes to create before inserting annotations, by name (case as in the file). */
  newClasses: string[];
  warnings: CocoIssue[];
  errors: CocoIssue[];
}

const classKey = (name: string) => name.trim().normalize('NFC').toLowerCase();

function listNames(names: readonly string[], max = 10): string {
  const shown = names.slice(0, max).map((n) => JSON.stringify(n));
  return names.length > max ? `${shown.join(', ')} and ${names.length - max} more` : shown.join(', ');
}

type ClassTarget = { classId: string | number; newClassName: null } | { classId: null; newClassName: string };

function planCategories(input: PlanCocoImportInput, errors: CocoIssue[], warnings: CocoIssue[]): { targets: Map<number, ClassTarget>; newClasses: string[] } {
  const byName = new Map<string, string | number>();
  for (const c of input.projectClasses) if (!byName.has(classKey(c.name))) byName.set(classKey(c.name), c.id);
  const used = new Set(input.coco.annotations.map((a) => a.category_id));
  const targets = new Map<number, ClassTarget>();
  const newClasses: string[] = [];
  const created = new Set<string>();
  const missing: string[] = [];
  const seen = new Map<string, number>();
  input.coco.categories.forEach((cat, i) => {
    const key = classKey(cat.name);
    const dup = seen.get(key);
    if (dup !== undefined) warnings.push({ path: `categories[${i}].name`, message: `"${cat.name}" names the same class as categories[${dup}]; their annotations are merged` });
    else seen.set(key, i);
    const classId = byName.get(key);
    if (classId !== undefined) targets.set(cat.id, { classId, newClassName: null });
    else if (input.createMissingClasses) {
      if (!created.has(key)) {
        created.add(key);
        newClasses.push(cat.name.trim());
      }
      targets.set(cat.id, { classId: null, newClassName: newClasses.find((n) => classKey(n) === key)! });
    } else if (used.has(cat.id)) {
      if (!missing.includes(cat.name)) missing.push(cat.name);
    } else {
      warnings.push({ path: `categories[${i}]`, message: `category "${cat.name}" has no annotations and no project class; ignored` });
    }
  });
  if (missing.length) {
    errors.push({ path: 'categories', message: `the project has no class named ${listNames(missing)}; create ${missing.length > 1 ? 'them' : 'it'} or allow creating missing classes` });
  }
  return { targets, newClasses };
}

/** Size check: exact, off by a pixel (rounding by some exporters: a warning), or a real mismatch. */
function sizeIssue(coco: { width: number; height: number }, stored: ProjectImageRef): { error: boolean; message: string } | null {
  if (coco.width === stored.width && coco.height === stored.height) return null;
  const given = `${coco.width}x${coco.height}`;
  const actual = `${stored.width}x${stored.height}`;
  if (Math.abs(coco.width - stored.width) <= 1 && Math.abs(coco.height - stored.height) <= 1) {
    return { error: false, message: `size ${given} differs from the stored image's ${actual} by rounding; coordinates are kept` };
  }
  const swapped = coco.width === stored.height && coco.height === stored.width;
  const hint = swapped ? ' (width and height swapped: was the image rotated by its EXIF orientation in one tool only?)' : '';
  return { error: true, message: `size ${given} differs from the stored image ${stored.fileName} (${actual})${hint}` };
}

function planImages(input: PlanCocoImportInput, errors: CocoIssue[], warnings: CocoIssue[]): { images: PlannedImage[]; targets: Map<number, ProjectImageRef> } {
  const byKey = new Map<string, ProjectImageRef[]>();
  for (const img of input.projectImages) {
    const key = matchFileName(img.fileName);
    byKey.set(key, [...(byKey.get(key) ?? []), img]);
  }
  const images: PlannedImage[] = [];
  const targets = new Map<number, ProjectImageRef>();
  const claimedBy = new Map<string | number, number>();
  const unmatched: string[] = [];
  input.coco.images.forEach((img, i) => {
    const at = `images[${i}]`;
    const candidates = byKey.get(matchFileName(img.file_name)) ?? [];
    const stored = candidates[0];
    if (!stored) {
      unmatched.push(img.file_name);
      return;
    }
    if (candidates.length > 1) {
      errors.push({ path: `${at}.file_name`, message: `"${img.file_name}" matches several project images (${listNames(candidates.map((c) => c.fileName))}); rename one` });
      return;
    }
    const other = claimedBy.get(stored.id);
    if (other !== undefined) {
      errors.push({ path: `${at}.file_name`, message: `"${img.file_name}" matches ${stored.fileName}, as images[${other}] does` });
      return;
    }
    claimedBy.set(stored.id, i);
    const issue = sizeIssue(img, stored);
    if (issue) (issue.error ? errors : warnings).push({ path: at, message: issue.message });
    if (issue?.error) return;
    images.push({ imageId: stored.id, cocoImageId: img.id, fileName: img.file_name });
    targets.set(img.id, stored);
  });
  if (unmatched.length) {
    warnings.push({ path: 'images', message: `${unmatched.length} image(s) not in the project, their annotations skipped: ${listNames(unmatched)}` });
  }
  return { images, targets };
}

export function planCocoImport(input: PlanCocoImportInput): CocoImportPlan {
  const errors: CocoIssue[] = [];
  const warnings: CocoIssue[] = [];
  const { targets: classTargets, newClasses } = planCategories(input, errors, warnings);
  const { images, targets: imageTargets } = planImages(input, errors, warnings);
  const cocoImages = new Map(input.coco.images.map((img) => [img.id, img]));

  const annotations: PlannedAnnotation[] = [];
  input.coco.annotations.forEach((ann, i) => {
    const at = `annotations[${i}]`;
    const stored = imageTargets.get(ann.image_id);
    const cocoImage = cocoImages.get(ann.image_id);
    const target = classTargets.get(ann.category_id);
    // Unmatched images and missing classes were reported once above.
    if (!stored || !cocoImage || !target) return;
    const geometry = geometryOf(ann, cocoImage, at, errors, warnings);
    if (!geometry) return;
    outsideImage(geometry, stored, at, warnings);
    annotations.push({ cocoAnnotationId: ann.id, imageId: stored.id, ...target, ...geometry });
  });
  return { images, annotations, newClasses, warnings, errors };
}
