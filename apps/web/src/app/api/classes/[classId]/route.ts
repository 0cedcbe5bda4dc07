import { NextResponse } from 'next/server';
import { classIdParamSchema, deleteClassQuerySchema, parseOrThrow, updateClassBodySchema } from '@segmenta/contracts';
import { audit, deleteClass, updateClass } from '@segmenta/db';
import { getServer } from '@/server/context';
import { readJson, route } from '@/server/http';
import { requireOwner } from '@/server/auth';

export const dynamic = 'force-dynamic';

type Params = { classId: string };

/** Rename, recolour, change hotkey or order. */
export const PATCH = route<Params>(async (req, { params, principal }) => {
  const { classId } = parseOrThrow(classIdParamSchema, await params, 'path');
  await requireOwner(principal, 'labelClass', classId, 'manage');
  const body = parseOrThrow(updateClassBodySchema, await readJson(req, 10_000), 'class update');
  return NextResponse.json(await updateClass(getServer().db, classId, body));
});

/** Refused with 409 while annotations use the class, unless `?annotations=delete`. */
export const DELETE = route<Params>(async (req, { params, principal }) => {
  const { classId } = parseOrThrow(classIdParamSchema, await params, 'path');
  await requireOwner(principal, 'labelClass', classId, 'manage');
  const { annotations } = parseOrThrow(deleteClassQuerySchema, Object.fromEntries(new URL(req.url).searchParams), 'query');
  const { db } = getServer();
  const result = await deleteClass(db, classId, annotations);
  await audit(db, principal.userId, 'class.delete', { type: 'labelClass', id: classId }, result);
  return NextResponse.json(result);
});
