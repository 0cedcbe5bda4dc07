import { NextResponse } from 'next/server';
import { parseOrThrow, tokenIdParamSchema } from '@segmenta/contracts';
import { audit, revokeApiToken } from '@segmenta/db';
import { getServer } from '@/server/context';
import { route } from '@/server/http';

export const dynamic = 'force-dynamic';

/** Revocation takes effect on the token's next request: every request looks the token up. */
export const DELETE = route<{ tokenId: string }>(async (_req, { params, principal }) => {
  const { tokenId } = parseOrThrow(tokenIdParamSchema, await params, 'path');
  const { db } = getServer();
  const token = await revokeApiToken(db, principal.userId, tokenId);
  await audit(db, principal.userId, 'token.revoke', { type: 'apiToken', id: tokenId });
  return NextResponse.json(token);
});
