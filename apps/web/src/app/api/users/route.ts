import { NextResponse } from 'next/server';
import { createUserBodySchema, parseOrThrow } from '@segmenta/contracts';
import { audit, createUser, listUsers } from '@segmenta/db';
import { requireGlobalRole } from '@/server/auth';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';

export const dynamic = 'force-dynamic';

export const GET = route(async (_req, { principal }) => {
  requireGlobalRole(principal, 'admin');
  return NextResponse.json({ users: await listUsers(getServer().db) });
});

export const POST = route(async (req, { principal }) => {
  requireGlobalRole(principal, 'admin');
  const body = parseOrThrow(createUserBodySchema, await readJson(req, 10_000), 'user');
  const { db } = getServer();
  const user = await createUser(db, body);
  await audit(db, principal.userId, 'user.create', { type: 'user', id: user.id }, { email: user.email, role: user.role });
  return NextResponse.json(user, { status: 201 });
});
