import { NextResponse } from 'next/server';
import { createTokenBodySchema, parseOrThrow } from '@segmenta/contracts';
import { audit, createApiToken, listApiTokens } from '@segmenta/db';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';

export const dynamic = 'force-dynamic';

export const GET = route(async (_req, { principal }) => NextResponse.json({ tokens: await listApiTokens(getServer().db, principal.userId) }));

/** The secret is in this answer only; the server keeps its hash. */
export const POST = route(async (req, { principal }) => {
  const body = parseOrThrow(createTokenBodySchema, await readJson(req, 10_000), 'token');
  const { db } = getServer();
  const token = await createApiToken(db, principal.userId, body.name, body.expiresInDays);
  await audit(db, principal.userId, 'token.create', { type: 'apiToken', id: token.id }, { name: body.name });
  return NextResponse.json(token, { status: 201, headers: { 'cache-control': 'no-store' } });
});
