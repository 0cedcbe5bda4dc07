import { z } from 'zod';
import { formatPath } from './errors';

// Every process validates its environment at start and exits with a message naming each bad variable.

const postgresUrl = z
  .string()
  .url('must be a URL such as postgresql://postgres@127.0.0.1:5432/segmenta')
  .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must start with postgresql://');
const redisUrl = z
  .string()
  .url('must be a URL such as redis://127.0.0.1:6379')
  .refine((u) => /^rediss?:\/\//.test(u), 'must start with redis://');

export const serverEnvSchema = z.object({
  DATABASE_URL: postgresUrl.default('postgresql://postgres@127.0.0.1:5432/segmenta'),
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
  DATA_DIR: z.string().min(1, 'must not be empty').default('./data'),
  PORT: z.coerce.number().int('must be an integer').min(1).max(65535, 'must be a port number (1-65535)').default(3000),
  /** Prefix of every BullMQ key, so a test run never touches the platform's queues. */
  QUEUE_PREFIX: z.string().regex(/^[a-z0-9:_-]+$/i, 'may hold letters, digits, ":", "_" and "-" only').default('segmenta'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(1),
  /** Seconds a worker waits for its running jobs on SIGTERM before it hands them back to the queue. */
  WORKER_SHUTDOWN_GRACE_S: z.coerce.number().min(0).max(3600).default(20),
  MODEL_BACKEND: z.enum(['auto', 'wasm', 'tensorflow', 'cpu']).default('auto'),
  /** wasm backend: XNNPACK threads for training and batch prediction in the worker (default: one per core). */
  MODEL_THREADS: z.coerce.number().int('must be an integer').min(1, 'must be at least 1').max(8, 'must be at most 8 (tfjs caps its thread pool)').optional(),
  /** This worker's name in health and logs (default: its pid and a random suffix); `npm start`'s supervisor names its worker. */
  WORKER_ID: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'may hold letters, digits, ".", "_" and "-" only (at most 100)').optional(),
  /** How long a job's lock lives without renewal: a killed worker's job is handed on after about this long. */
  WORKER_LOCK_MS: z.coerce.number().int().min(1_000).max(600_000).default(60_000),
  /** Try-it predictions (`POST /api/predict`) that run at once, each in its own worker thread holding its own model copy. */
  INFERENCE_CONCURRENCY: z.coerce.number().int('must be an integer').min(1, 'must be at least 1').max(16).default(1),
  /** Try-it predictions that may wait for a free thread; one more is answered 503 with Retry-After. */
  INFERENCE_QUEUE_MAX: z.coerce.number().int('must be an integer').min(0).max(10_000).default(32),
  /**
   * Largest `annotations` part an import accepts (bytes). The part streams to a temp file, but JSON.parse
   * then needs it as one string (V8 caps strings near 512 MiB) and the parsed objects take several times its size.
   */
  IMPORT_MAX_ANNOTATIONS_BYTES: z.coerce.number().int('must be an integer').min(1024, 'must be at least 1024').max(500_000_000, 'must be at most 500000000 (JSON.parse needs the file as one string)').default(256 * 1024 * 1024),
  /** Largest total of the `images` parts (files or zips) sent along with one import, in bytes; they are read into memory to be stored. */
  IMPORT_MAX_IMAGES_BYTES: z.coerce.number().int('must be an integer').min(0).max(8 * 1024 ** 3, 'must be at most 8 GiB').default(1024 ** 3),
  /**
   * Largest total of the files in one image upload (`POST /api/projects/:id/images`, images or zips) and of the
   * image sent to `POST /api/predict`, in bytes. The body streams to a temp dir; what is kept is then read into memory.
   */
  UPLOAD_MAX_BYTES: z.coerce.number().int('must be an integer').min(1024, 'must be at least 1024').max(8 * 1024 ** 3, 'must be at most 8 GiB').default(1024 ** 3),
  /** First admin, created at start when no user has this email (`npm start` and automation run unattended). */
  SEGMENTA_ADMIN_EMAIL: z.string().email('must be an email address').optional(),
  SEGMENTA_ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').max(200).optional(),
  /** An API token for the first admin, for scripts: sent as `Authorization: Bearer <token>`. */
  SEGMENTA_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').max(200).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces').optional(),
  /** How long a sign-in lasts. */
  SESSION_TTL_HOURS: z.coerce.number().min(0.01).max(24 * 90).default(24 * 7),
});
export type ServerEnv = z.infer<typeof serverEnvSchema>;

export class EnvError extends Error {
  constructor(readonly problems: { variable: string; message: string; value?: string }[]) {
    super(
      'Invalid environment:\n' +
        problems.map((p) => `  ${p.variable}=${p.value === undefined ? '(unset)' : JSON.stringify(p.value)}: ${p.message}`).join('\n'),
    );
    this.name = 'EnvError';
  }
}

/** Empty strings count as unset, as a shell `FOO= cmd` usually means "use the default". */
export function loadServerEnv(source: Record<string, string | undefined> = process.env): ServerEnv {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(serverEnvSchema.shape)) {
    const value = source[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = serverEnvSchema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new EnvError(
    result.error.issues.map((issue) => {
      const variable = formatPath('', issue.path);
      return { variable, message: issue.message, value: source[variable] };
    }),
  );
}

/** Removes the password from a connection URL before it goes into a message or a log. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
