import { NextResponse } from 'next/server';
import { describeMe } from '@segmenta/db';
import { getServer } from '@/server/context';
import { route } from '@/server/http';

export const dynamic = 'force-dynamic';

export const GET = route(async (_req, { principal }) => NextResponse.json(await describeMe(getServer().db, principal.userId, principal.via)));
