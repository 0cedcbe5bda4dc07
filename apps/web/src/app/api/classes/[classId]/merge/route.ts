import { NextResponse } from 'next/server';
import { classIdParamSchema, mergeClassBodySchema, parseOrThrow } from '@segmenta/contracts';
import { audit, mergeClasses } from '@segmenta/db';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';
import { requireOwner } from '@/server/auth';

export const dynamic = 'force-dynamic';

/** Moves this class's annotations to `into` and removes this class. */
export const POST = route<{ classId: string }>(async (req, { params, principal }) => {
  const { classId } = parseOrThrow(classIdParamSchema, await params, 'path');
  await requireOwner(principal, 'labelClass', classId, 'manage');
  const { into } = parseOrThrow(mergeClassBodySchema, await readJson(req, 10_000), 'merge');
  const { db } = getServer();
  const result = await mergeClasses(db, classId, into);
  await audit(db, principal.userId, 'class.merge', { type: 'labelClass', id: classId }, { into, ...result });
  return NextResponse.json(result);
});
