import { NextResponse } from 'next/server';
import { collectHealth } from '@/server/health';
import { publicRoute } from '@/server/http';

export const dynamic = 'force-dynamic';

/** 200 only when PostgreSQL and Redis answer and at least one worker is alive; 503 otherwise. */
export const GET = publicRoute(async () => {
  const health = await collectHealth();
  return NextResponse.json(health, { status: health.status === 'ok' ? 200 : 503, headers: { 'Cache-Control': 'no-store' } });
});
