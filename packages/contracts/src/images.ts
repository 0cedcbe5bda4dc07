import { z } from 'zod';
import { splits } from './projects';

export const imageStatuses = ['unlabelled', 'in_progress', 'done', 'needs_review', 'reviewed', 'rejected'] as const;
export type ImageStatus = (typeof imageStatuses)[number];

const uuid = z.string().uuid('must be a UUID');

export const imageIdParamSchema = z.object({ imageId: uuid });

export const listImagesQuerySchema = z
  .object({
    split: z.enum(splits).optional(),
    status: z.enum(imageStatuses).optional(),
    classId: uuid.optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int('must be an integer').min(1).max(500, 'must be at most 500').default(100),
  })
  .strict();
export type ListImagesQuery = z.infer<typeof listImagesQuerySchema>;

/** Ratios need not sum to 1; they are normalised. A seed makes the split reproducible. */
export const autoSplitBodySchema = z
  .object({
    train: z.number().min(0).max(1).default(0.7),
    val: z.number().min(0).max(1).default(0.15),
    test: z.number().min(0).max(1).default(0.15),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
    /** Only images still unassigned are split when true; all images otherwise. */
    onlyUnassigned: z.boolean().default(false),
  })
  .strict()
  .refine((b) => b.train + b.val + b.test > 0, { message: 'at least one ratio must be > 0', path: ['train'] });
export type AutoSplitBody = z.infer<typeof autoSplitBodySchema>;

export const assignSplitBodySchema = z
  .object({ imageIds: z.array(uuid).min(1, 'select at least one image').max(10_000), split: z.enum(splits) })
  .strict();

/** Resumable uploads: the browser hashes files first and sends only those the project lacks. */
export const checkHashesBodySchema = z
  .object({ sha256: z.array(z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex sha256')).min(1).max(5_000) })
  .strict();

export interface ImageDto {
  id: string;
  projectId: string;
  fileName: string;
  mimeType: string;
  width: number;
  height: number;
  sizeBytes: number;
  sha256: string;
  split: (typeof splits)[number];
  status: ImageStatus;
  annotationCount: number;
  createdAt: string;
}

export interface UploadResultDto {
  images: { id: string; fileName: string; width: number; height: number; duplicateOf?: string }[];
  errors: { fileName: string; message: string }[];
}

const boolParam = z.enum(['true', 'false']).default('false').transform((v) => v === 'true');

export const importQuerySchema = z
  .object({ format: z.enum(['coco', 'labelstudio']).default('coco'), dryRun: boolParam, createMissingClasses: boolParam })
  .strict();

export const exportQuerySchema = z
  .object({ format: z.literal('coco').default('coco'), split: z.enum(['train', 'val', 'test', 'unassigned']).optional(), includeImages: boolParam })
  .strict();

export interface ImportResultDto {
  dryRun: boolean;
  images: number;
  annotations: number;
  categories: { matched: number; created: string[] };
  uploaded: number;
  warnings: { path: string; message: string }[];
  errors: { path: string; message: string }[];
}
