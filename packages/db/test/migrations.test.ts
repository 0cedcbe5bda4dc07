import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, DEFAULT_PATHS, deployMigrations, diffDatabaseToSchema, readMigrationList } from '../src/migrate';
import { testDatabaseUrl } from './helpers';

describe('offline migrations', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;

  beforeAll(async () => {
    scratch = await createScratchDatabase(testDatabaseUrl());
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('applies every migration to an empty database, once', async () => {
    const list = await readMigrationList(DEFAULT_PATHS.migrationsDir);
    const names = list.migrationDirectories.map((d) => d.path);
    expect(names.length).toBeGreaterThan(0);
    expect(await deployMigrations(scratch.url)).toEqual(names);
    expect(await deployMigrations(scratch.url)).toEqual([]);
  });

  it('records them in _prisma_migrations exactly as `prisma migrate deploy` would (sha256 checksums)', async () => {
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name');
      for (const row of rows) {
        const sql = await readFile(path.join(DEFAULT_PATHS.migrationsDir, row.migration_name, 'migration.sql'));
        expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
        expect(row.finished_at).not.toBeNull();
        expect(row.applied_steps_count).toBe(1);
      }
    } finally {
      await client.end();
    }
  });

  it('leaves a database that matches schema.prisma (the engine finds nothing to change)', async () => {
    expect(await diffDatabaseToSchema(scratch.url)).toBe('');
  });

  it('notices when the database drifts from schema.prisma', async () => {
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    await client.query('ALTER TABLE "Project" DROP COLUMN "description"');
    await client.end();
    const sql = await diffDatabaseToSchema(scratch.url);
    expect(sql).toMatch(/ALTER TABLE "Project" ADD COLUMN\s+"description"/);
  });
});
