import { revokeSession } from '@segmenta/db';
import { clearedSessionCookie } from '@/server/auth';
import { getServer } from '@/server/context';
import { route } from '@/server/http';

export const dynamic = 'force-dynamic';

/** Ends this browser's session on the server too, so a copied cookie stops working. */
export const POST = route(async (_req, { principal }) => {
  if (principal.sessionId) await revokeSession(getServer().db, principal.sessionId);
  return new Response(null, { status: 204, headers: { 'set-cookie': clearedSessionCookie } });
});
