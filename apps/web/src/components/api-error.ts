import type { ApiErrorBody } from '@segmenta/contracts';

/** The most useful line of an API error answer: the first detail with its path, else the message. */
export async function apiErrorMessage(res: Response): Promise<string> {
  const err = ((await res.json().catch(() => null)) as ApiErrorBody | null)?.error;
  return err ? (err.details[0] ? `${err.details[0].path}: ${err.details[0].message}` : err.message) : `HTTP ${res.status}`;
}
