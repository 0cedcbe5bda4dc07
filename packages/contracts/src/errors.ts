import { z } from 'zod';

/** Every API error, whatever the route: `{ error: { code, message, details: [{ path, message }] } }`. */
export const errorCodes = [
  'bad_request',
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'service_unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export const errorDetailSchema = z.object({ path: z.string(), message: z.string() });
export type ErrorDetail = z.infer<typeof errorDetailSchema>;

export const apiErrorSchema = z.object({
  error: z.object({
    code: z.enum(errorCodes),
    message: z.string(),
    details: z.array(errorDetailSchema),
  }),
});
export type ApiErrorBody = z.infer<typeof apiErrorSchema>;

export const statusForCode: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  service_unavailable: 503,
  internal: 500,
};

/** An error that already knows how it should look on the wire. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** Seconds after which trying again makes sense (sent as Retry-After with 429 and 503). */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
  get status(): number {
    return statusForCode[this.code];
  }
  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/** Turns zod issues into `{ path: "classes[1].name", message }` entries a person can act on. */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[], root = ''): ErrorDetail[] {
  return issues.map((issue) => ({ path: formatPath(root, issue.path), message: issue.message }));
}

export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(root)';
}

/** Validates `input` against `schema` or throws a 400 AppError naming every bad field. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = issuesToDetails(result.error.issues);
  const first = details[0];
  throw new AppError(
    'validation_failed',
    `Invalid ${what}: ${first ? `${first.path}: ${first.message}` : 'does not match the expected shape'}${details.length > 1 ? ` (and ${details.length - 1} more)` : ''}`,
    details,
  );
}
