import { z } from 'zod';

/** The origin project's ten campus classes; a new project starts from these unless told otherwise. */
export const DEFAULT_CLASSES: readonly { name: string; color: string }[] = [
  // Okabe–Ito and Tol palettes: distinguishable for the common colour-vision deficiencies.
  { name: 'person', color: '#E69F00' },
  { name: 'bench', color: '#56B4E9' },
  { name: 'car', color: '#009E73' },
  { name: 'fire extinguisher', color: '#D55E00' },
  { name: 'charger horse', color: '#CC79A7' },
  { name: 'animal', color: '#F0E442' },
  { name: 'bicycle', color: '#0072B2' },
  { name: 'chair', color: '#882255' },
  { name: 'table', color: '#44AA99' },
  { name: 'trash can', color: '#999933' },
];

export const splits = ['train', 'val', 'test', 'unassigned'] as const;
export type Split = (typeof splits)[number];

const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1f77b4');

export const labelClassInputSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
  color: hexColor.optional(),
});

export const createProjectBodySchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters'),
    description: z.string().max(2000).optional(),
    classes: z.array(labelClassInputSchema).min(1, 'needs at least one class').max(200).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    const seen = new Map<string, number>();
    body.classes?.forEach((c, i) => {
      const key = c.name.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['classes', i, 'name'], message: `duplicates classes[${first}].name "${body.classes![first]!.name}"` });
      else seen.set(key, i);
    });
  });
export type CreateProjectBody = z.infer<typeof createProjectBodySchema>;

export const projectIdParamSchema = z.object({ projectId: z.string().uuid('must be a project id (UUID)') });

export interface LabelClassDto {
  id: string;
  name: string;
  color: string;
  hotkey: string | null;
  order: number;
}

export interface ProjectSummaryDto {
  id: string;
  name: string;
  description: string;
  archived: boolean;
  createdAt: string;
  imageCount: number;
  annotationCount: number;
}

export interface ProjectDto extends ProjectSummaryDto {
  classes: LabelClassDto[];
  splitCounts: Record<Split, number>;
  /** Instances per class id. */
  classCounts: Record<string, number>;
}

export const updateProjectBodySchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(120).optional(),
    description: z.string().max(2000).optional(),
    archived: z.boolean().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one of name, description, archived' });

const hotkey = z.string().regex(/^[0-9a-z]$/, 'must be one digit or lower-case letter');

export const createClassBodySchema = z.object({ name: labelClassInputSchema.shape.name, color: hexColor.optional(), hotkey: hotkey.nullable().optional() }).strict();
export const updateClassBodySchema = z
  .object({ name: labelClassInputSchema.shape.name.optional(), color: hexColor.optional(), hotkey: hotkey.nullable().optional(), order: z.number().int().min(0).optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field to change' });
export const mergeClassBodySchema = z.object({ into: z.string().uuid('must be a class id (UUID)') }).strict();
export const classIdParamSchema = z.object({ classId: z.string().uuid('must be a class id (UUID)') });
/** What to do with the annotations of a class being deleted: refuse (default) or delete them too. */
export const deleteClassQuerySchema = z.object({ annotations: z.enum(['refuse', 'delete']).default('refuse') }).strict();

export const listProjectsQuerySchema = z.object({ includeArchived: z.enum(['true', 'false']).default('false').transform((v) => v === 'true') }).strict();
