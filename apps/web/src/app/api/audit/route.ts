import { NextResponse } from 'next/server';
import { auditQuerySchema, parseOrThrow } from '@segmenta/contracts';
import { listAudit } from '@segmenta/db';
import { requireGlobalRole } from '@/server/auth';
import { getServer } from '@/server/context';
import { route } from '@/server/http';

export const dynamic = 'force-dynamic';

export const GET = route(async (req, { principal }) => {
  requireGlobalRole(principal, 'admin');
  const q = parseOrThrow(auditQuerySchema, Object.fromEntries(new URL(req.url).searchParams), 'query');
  return NextResponse.json({ entries: await listAudit(getServer().db, q) });
});
