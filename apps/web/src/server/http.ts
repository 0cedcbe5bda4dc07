import 'server-only';
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { AppError, issuesToDetails, redactUrl } from '@segmenta/contracts';
import type { Principal } from '@segmenta/db';
import { authenticate } from './auth/principal';
import { getServer } from './context';
import { probeServices } from './health';

/**
 * Which backing services are down right now. Driver errors differ between pg, Prisma and ioredis, so
 * rather than guessing from an error's text, an unexpected failure triggers a quick probe of both.
 */
async function unavailableServices(): Promise<string[]> {
  const { env } = getServer();
  const probe = await probeServices();
  const down: string[] = [];
  if (!probe.database.ok) down.push(`PostgreSQL is unavailable at ${redactUrl(env.DATABASE_URL)}`);
  if (!probe.redis.ok) down.push(`Redis is unavailable at ${redactUrl(env.REDIS_URL)}`);
  return down;
}

/** Errors our data layer raises on purpose, and Prisma's "unique" / "not found" answers. */
function fromDomainError(err: unknown): AppError | null {
  const e = err as { code?: string; meta?: { target?: unknown; modelName?: string }; name?: string; message?: string };
  if (e?.code === 'P2002') {
    const target = Array.isArray(e.meta?.target) ? e.meta.target.join(', ') : String(e.meta?.target ?? 'a unique field');
    return new AppError('conflict', `Another ${e.meta?.modelName ?? 'record'} already has this ${target}`);
  }
  if (e?.code === 'P2025' || e?.name === 'NotFoundError') return new AppError('not_found', `${e.meta?.modelName ?? 'Record'} not found`);
  return null;
}

export async function errorResponse(err: unknown): Promise<NextResponse> {
  if (err instanceof AppError) {
    const headers = err.retryAfterS !== undefined ? { 'Retry-After': String(Math.ceil(err.retryAfterS)) } : undefined;
    return NextResponse.json(err.toBody(), { status: err.status, headers });
  }
  if (err instanceof z.ZodError) {
    const app = new AppError('validation_failed', 'Invalid request', issuesToDetails(err.issues));
    return NextResponse.json(app.toBody(), { status: 400 });
  }
  const known = fromDomainError(err);
  if (known) return NextResponse.json(known.toBody(), { status: known.status });
  const down = await unavailableServices().catch(() => []);
  if (down.length) {
    const app = new AppError('service_unavailable', `${down.join('; ')}; try again shortly (see /api/health)`);
    return NextResponse.json(app.toBody(), { status: 503, headers: { 'Retry-After': '5' } });
  }
  console.error(err);
  return NextResponse.json(new AppError('internal', 'Internal error; the server log has the details').toBody(), { status: 500 });
}

type RouteContext<P> = { params: Promise<P> };
type AuthedContext<P> = RouteContext<P> & { principal: Principal };

/**
 * Wraps a route handler: the caller must be signed in (session cookie) or send an API token, and
 * every failure leaves in the shared error shape. Each handler then authorises its own action.
 */
export function route<P = Record<string, string>>(fn: (req: Request, ctx: AuthedContext<P>) => Promise<Response>) {
  return publicRoute<P>(async (req, ctx) => fn(req, { ...ctx, principal: await authenticate(req) }));
}

/** For the few routes anyone may call: health and sign-in. */
export function publicRoute<P = Record<string, string>>(fn: (req: Request, ctx: RouteContext<P>) => Promise<Response>) {
  return async (req: Request, ctx: RouteContext<P>): Promise<Response> => {
    try {
      return await fn(req, ctx);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/** Reads a body of at most `maxBytes`, refusing a larger one before reading it when its length is declared. */
export async function readBody(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  const tooLarge = (n: number | string) => new AppError('payload_too_large', `Body is ${n} bytes; the limit for this route is ${maxBytes}`);
  if (declared > maxBytes) throw tooLarge(declared);
  if (!req.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(`more than ${maxBytes}`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** Reads a JSON body, answering 400/413/415 with a precise message instead of a parser stack trace. */
export async function readJson(req: Request, maxBytes = 1_000_000): Promise<unknown> {
  const type = req.headers.get('content-type') ?? '';
  if (!type.includes('application/json')) throw new AppError('unsupported_media_type', `Expected Content-Type application/json, got "${type || 'none'}"`);
  const text = Buffer.from(await readBody(req, maxBytes)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('bad_request', `Body is not valid JSON: ${(err as Error).message}`);
  }
}
