import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createScratchDatabase } from './scratch-database';
import path from 'node:path';
import { NO_FILTERS, openSchemaEngine, type MigrationList, type SchemaFile } from './schema-engine';

export interface MigrationPaths {
  /** prisma/schema.prisma */
  schemaPath: string;
  /** prisma/migrations */
  migrationsDir: string;
}

/** Repository root, found from this file so CLIs work from any working directory. */
export const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');

export const DEFAULT_PATHS: MigrationPaths = {
  schemaPath: path.join(REPO_ROOT, 'prisma/schema.prisma'),
  migrationsDir: path.join(REPO_ROOT, 'prisma/migrations'),
};

async function readSchema(paths: MigrationPaths): Promise<SchemaFile> {
  return { path: paths.schemaPath, content: await readFile(paths.schemaPath, 'utf8') };
}

/** Loads prisma/migrations the way the Prisma CLI does before handing it to the engine. */
export async function readMigrationList(migrationsDir: string): Promise<MigrationList> {
  const lockPath = path.join(migrationsDir, 'migration_lock.toml');
  const lockContent = await readFile(lockPath, 'utf8').catch(() => null);
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch(() => []);
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const migrationDirectories = await Promise.all(
    dirs.map(async (name) => {
      const file = path.join(migrationsDir, name, 'migration.sql');
      const content = await readFile(file, 'utf8').then(
        (value) => ({ tag: 'ok' as const, value }),
        (err: Error) => ({ tag: 'error' as const, value: err.message }),
      );
      return { path: name, migrationFile: { path: 'migration.sql', content } };
    }),
  );
  return {
    baseDir: migrationsDir,
    lockfile: { path: lockPath, content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

/** `prisma migrate deploy`, offline: applies every migration not yet in `_prisma_migrations`. */
export async function deployMigrations(url: string, paths: MigrationPaths = DEFAULT_PATHS): Promise<string[]> {
  const engine = await openSchemaEngine(url, await readSchema(paths));
  try {
    const out = await engine.applyMigrations({ migrationsList: await readMigrationList(paths.migrationsDir), filters: NO_FILTERS });
    return out.appliedMigrationNames;
  } finally {
    engine.free();
  }
}

/** SQL that would turn the live database into schema.prisma; empty when they agree. */
export async function diffDatabaseToSchema(url: string, paths: MigrationPaths = DEFAULT_PATHS): Promise<string> {
  const schema = await readSchema(paths);
  const engine = await openSchemaEngine(url, schema);
  try {
    const out = await engine.diff({
      from: { tag: 'schemaDatasource', files: [schema], configDir: path.dirname(paths.schemaPath) },
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    });
    return stripComments(out.stdout ?? '');
  } finally {
    engine.free();
  }
}

/** The engine answers an empty diff with a comment line; keep only statements. */
function stripComments(sql: string): string {
  return sql
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('--'))
    .join('\n');
}

/**
 * `prisma migrate dev --create-only`, offline: replays the existing migrations on a scratch database
 * (the wasm engine cannot open a shadow database itself), diffs it against schema.prisma and writes
 * the difference as a new migration. Returns the folder name, or null when they already agree.
 */
export async function createMigration(url: string, name: string, paths: MigrationPaths = DEFAULT_PATHS): Promise<string | null> {
  const scratch = await createScratchDatabase(url);
  try {
    await deployMigrations(scratch.url, paths);
    const schema = await readSchema(paths);
    const engine = await openSchemaEngine(scratch.url, schema);
    let script: string;
    try {
      const out = await engine.diff({
        from: { tag: 'schemaDatasource', files: [schema], configDir: path.dirname(paths.schemaPath) },
        to: { tag: 'schemaDatamodel', files: [schema] },
        script: true,
        exitCode: null,
        filters: NO_FILTERS,
      });
      script = out.stdout ?? '';
    } finally {
      engine.free();
    }
    if (!stripComments(script)) return null;
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const folder = `${stamp}_${name}`;
    const dir = path.join(paths.migrationsDir, folder);
    await mkdir(dir, { recursive: true });
    const tmp = path.join(dir, '.migration.sql.tmp');
    await writeFile(tmp, script);
    await rename(tmp, path.join(dir, 'migration.sql'));
    const lockPath = path.join(paths.migrationsDir, 'migration_lock.toml');
    if ((await readFile(lockPath, 'utf8').catch(() => null)) === null) {
      await writeFile(lockPath, '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n');
    }
    return folder;
  } finally {
    await scratch.drop();
  }
}
