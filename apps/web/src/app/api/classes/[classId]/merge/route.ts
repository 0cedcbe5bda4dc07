import { NextResponse } from 'next/server';
import { classIdParamSchema, mergeClassBodySchema, parseOrThrow } from '@segmenta/contracts';
import { mergeClasses } from '@segmenta/db';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';

export const dynamic = 'force-dynamic';

/** Moves this class's annotations to `into` and removes this class. */
export const POST = route<{ classId: string }>(async (req, { params }) => {
  const { classId } = parseOrThrow(classIdParamSchema, await params, 'path');
  const { into } = parseOrThrow(mergeClassBodySchema, await readJson(req, 10_000), 'merge');
  return NextResponse.json(await mergeClasses(getServer().db, classId, into));
});
