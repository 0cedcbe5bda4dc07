import 'server-only';
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { AppError, issuesToDetails, redactUrl } from '@segmenta/contracts';
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
  if (err instanceof AppError) return NextResponse.json(err.toBody(), { status: err.status });
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

/** Wraps a route handler so every failure leaves in the shared error shape. */
export function route<P = Record<string, string>>(fn: (req: Request, ctx: RouteContext<P>) => Promise<Response>) {
  return async (req: Request, ctx: RouteContext<P>): Promise<Response> => {
    try {
      return await fn(req, ctx);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/** Reads a JSON body, answering 400/413/415 with a precise message instead of a parser stack trace. */
export async function readJson(req: Request, maxBytes = 1_000_000): Promise<unknown> {
  const type = req.headers.get('content-type') ?? '';
  if (!type.includes('application/json')) throw new AppError('unsupported_media_type', `Expected Content-Type application/json, got "${type || 'none'}"`);
  const text = await req.text();
  if (text.length > maxBytes) throw new AppError('payload_too_large', `Body is ${text.length} bytes; the limit for this route is ${maxBytes}`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('bad_request', `Body is not valid JSON: ${(err as Error).message}`);
  }
}
