import { z } from 'zod';

// The training config a researcher submits; the worker trusts nothing that did not pass this schema.

const probability = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

const oneOfChoice = z.discriminatedUnion('type', [
  z.object({ type: z.literal('jpegCompression'), qualityMin: z.number().int().min(1).max(100).default(50), qualityMax: z.number().int().min(1).max(100).default(95) }),
  z.object({ type: z.literal('gamma'), gammaMin: z.number().positive().default(0.8), gammaMax: z.number().positive().default(1.2) }),
  z.object({ type: z.literal('blur'), radiusMax: z.number().positive().max(25).default(3) }),
  z.object({ type: z.literal('equalize') }),
]);

/** The origin project's albumentations pipeline, step by step, each with its probability. */
export const augmentationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('horizontalFlip'), p: probability.default(0.5) }),
  z.object({ type: z.literal('verticalFlip'), p: probability.default(0.5) }),
  z.object({
    type: z.literal('brightnessContrast'),
    p: probability.default(0.5),
    brightnessLimit: z.number().min(0).max(1).default(0.2),
    contrastLimit: z.number().min(0).max(1).default(0.2),
  }),
  z.object({ type: z.literal('oneOf'), p: probability.default(0.5), choices: z.array(oneOfChoice).min(1, 'needs at least one choice') }),
  z.object({ type: z.literal('resize'), p: probability.default(1), width: z.number().int().min(32).max(4096), height: z.number().int().min(32).max(4096) }),
]);
export type Augmentation = z.infer<typeof augmentationSchema>;

export const defaultAugmentations: Augmentation[] = [
  { type: 'horizontalFlip', p: 0.5 },
  { type: 'verticalFlip', p: 0.5 },
  { type: 'brightnessContrast', p: 0.5, brightnessLimit: 0.2, contrastLimit: 0.2 },
  { type: 'oneOf', p: 0.5, choices: [{ type: 'jpegCompression', qualityMin: 50, qualityMax: 95 }, { type: 'gamma', gammaMin: 0.8, gammaMax: 1.2 }] },
  { type: 'oneOf', p: 0.5, choices: [{ type: 'blur', radiusMax: 3 }, { type: 'equalize' }] },
];

export const presets = ['tiny', 'cpu-small', 'torchvision'] as const;
export const backbones = ['resnet50-fpn', 'mini', 'small'] as const;

const uuid = z.string().uuid('must be a UUID');

export const initialWeightsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('torchvision'), weightsPath: z.string().min(1, 'must name an imported weights directory') }),
  z.object({ kind: z.literal('run'), runId: uuid, checkpointId: uuid.optional() }),
]);

export const optimizerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('adam'),
    learningRate: z.number().positive('must be > 0').max(1, 'must be <= 1').default(1e-4),
    weightDecay: z.number().min(0).max(1).default(0),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
  }),
  z.object({
    type: z.literal('sgd'),
    learningRate: z.number().positive('must be > 0').max(10).default(0.005),
    momentum: z.number().min(0).lt(1).default(0.9),
    weightDecay: z.number().min(0).max(1).default(5e-4),
  }),
]);

export const scheduleSchema = z.object({
  type: z.enum(['constant', 'step', 'cosine']).default('constant'),
  warmupSteps: z.number().int().min(0).default(0),
  stepSizeEpochs: z.number().int().min(1).default(3),
  gamma: z.number().positive().max(1).default(0.1),
});

export const trainingConfigSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters'),
    preset: z.enum(presets).default('cpu-small'),
    backbone: z.enum(backbones).optional(),
    init: initialWeightsSchema.default({ kind: 'none' }),
    epochs: z.number().int().min(1, 'must be at least 1').max(1000, 'must be at most 1000').default(10),
    batchSize: z.number().int().min(1).max(64).default(2),
    gradientAccumulation: z.number().int().min(1).max(64).default(1),
    optimizer: optimizerSchema.default({ type: 'adam', learningRate: 1e-4, weightDecay: 0, beta1: 0.9, beta2: 0.999 }),
    schedule: scheduleSchema.default({ type: 'constant', warmupSteps: 0, stepSizeEpochs: 3, gamma: 0.1 }),
    gradientClipNorm: z.number().positive().optional(),
    imageSize: z
      .object({ minSize: z.number().int().min(32).max(2048), maxSize: z.number().int().min(32).max(4096) })
      .refine((s) => s.maxSize >= s.minSize, { message: 'maxSize must be >= minSize', path: ['maxSize'] })
      .optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(42),
    augmentations: z.array(augmentationSchema).max(32).default(defaultAugmentations),
  })
  .strict();
export type TrainingConfig = z.infer<typeof trainingConfigSchema>;
export type TrainingConfigInput = z.input<typeof trainingConfigSchema>;
