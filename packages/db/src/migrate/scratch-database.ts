import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Runs one statement on the server's maintenance database (CREATE/DROP DATABASE cannot run inside the target). */
async function onMaintenanceDb(url: string, sql: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function assertIdentifier(name: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`refusing database name "${name}"`);
}

/** Drops (if present) and creates an empty database, returning its URL. Used for test and scratch databases. */
export async function recreateDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.replace(/^\//, '');
  assertIdentifier(name);
  await onMaintenanceDb(url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await onMaintenanceDb(url, `CREATE DATABASE "${name}"`);
}

export async function createDatabaseIfMissing(url: string): Promise<boolean> {
  const name = new URL(url).pathname.replace(/^\//, '');
  assertIdentifier(name);
  try {
    await onMaintenanceDb(url, `CREATE DATABASE "${name}"`);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === '42P04') return false; // duplicate_database
    throw err;
  }
}

/** A throwaway database on the same server as `url`. */
export async function createScratchDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `segmenta_scratch_${randomBytes(6).toString('hex')}`;
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  await onMaintenanceDb(url, `CREATE DATABASE "${name}"`);
  return {
    url: scratch.toString(),
    drop: () => onMaintenanceDb(url, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}
