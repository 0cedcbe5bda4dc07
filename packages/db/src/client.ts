import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';

export type Db = PrismaClient;
export { PrismaClient };
export * as Prisma from './generated/prisma/models';

/**
 * One client per process: the pg pool behind the adapter is small because web and worker both hold one.
 * Prisma connects lazily; the first query fails with a connection error if PostgreSQL is down.
 */
export function createDb(url: string, opts: { poolSize?: number } = {}): Db {
  const adapter = new PrismaPg({ connectionString: url, max: opts.poolSize ?? 5, connectionTimeoutMillis: 5_000 });
  return new PrismaClient({ adapter });
}

/** Round trip to PostgreSQL; throws with the driver's message when it cannot connect. */
export async function pingDatabase(db: Db): Promise<number> {
  const started = performance.now();
  await db.$queryRaw`SELECT 1`;
  return performance.now() - started;
}
