import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';

// The Prisma CLI downloads a native schema engine, which cannot happen offline. The same engine is
// published as WebAssembly (@prisma/schema-engine-wasm) and talks to PostgreSQL through the driver
// adapter, so migrations are created and applied by Prisma's own code, and `_prisma_migrations` stays
// exactly what `prisma migrate deploy` expects wherever the native binary exists.

export interface SchemaFile {
  path: string;
  content: string;
}

export interface MigrationList {
  baseDir: string;
  lockfile: { path: string; content: string | null };
  shadowDbInitScript: string;
  migrationDirectories: {
    path: string;
    migrationFile: { path: string; content: { tag: 'ok'; value: string } | { tag: 'error'; value: string } };
  }[];
}

type Filters = { externalTables: string[]; externalEnums: string[] };
type DiffTarget =
  | { tag: 'empty' }
  | { tag: 'schemaDatamodel'; files: SchemaFile[] }
  /** The live database behind the engine's adapter. */
  | { tag: 'schemaDatasource'; files: SchemaFile[]; configDir: string }
  | ({ tag: 'migrations' } & MigrationList);

/** The subset of the wasm engine's API that Segmenta uses. */
export interface SchemaEngine {
  applyMigrations(input: { migrationsList: MigrationList; filters: Filters }): Promise<{ appliedMigrationNames: string[] }>;
  diff(params: { from: DiffTarget; to: DiffTarget; script: boolean; exitCode: boolean | null; filters: Filters }): Promise<{ exitCode: number; stdout: string | null }>;
  free(): void;
}

export const NO_FILTERS: Filters = { externalTables: [], externalEnums: [] };

interface EngineModule {
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
  SchemaEngine: { new: (opts: { datamodels: [string, string][] }, log: (msg: string) => void, adapter: object) => Promise<SchemaEngine> };
}

let modulePromise: Promise<EngineModule> | undefined;

/** Instantiates the wasm module once per process (its ESM entry imports a .wasm file, which Node 20 cannot). */
async function loadEngineModule(): Promise<EngineModule> {
  modulePromise ??= (async () => {
    const require = createRequire(import.meta.url);
    // The package exports no ./package.json; resolve its entry file and take the folder.
    const dir = path.dirname(require.resolve('@prisma/schema-engine-wasm'));
    const bindings = (await import(pathToFileURL(path.join(dir, 'schema_engine_bg.js')).href)) as EngineModule;
    const bytes = await readFile(path.join(dir, 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': bindings as unknown as WebAssembly.ModuleImports,
    });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as (() => void) | undefined)?.();
    return bindings;
  })();
  return modulePromise;
}

/**
 * The engine describes a database by reading pg_catalog, whose `"char"` columns (OID 18, e.g.
 * pg_class.relkind) the pg adapter refuses as an unsupported type. They are single characters, so
 * we hand them to the adapter as text. Only the schema engine's adapter is patched, never the app's.
 */
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

type Queryable = { performIO?: (...args: unknown[]) => Promise<{ fields: { dataTypeID: number }[] }> };
type Connectable = { connect(): Promise<unknown>; connectToShadowDb(): Promise<unknown> };

function patchCharColumns(queryable: unknown): void {
  const q = queryable as Queryable & { startTransaction?: (...args: unknown[]) => Promise<unknown> };
  const io = q.performIO?.bind(q);
  if (!io) throw new Error('@prisma/adapter-pg changed: performIO is gone; revisit patchCharColumns');
  q.performIO = async (...args: unknown[]) => {
    const result = await io(...args);
    for (const field of result.fields) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    return result;
  };
  const start = q.startTransaction?.bind(q);
  if (start) {
    q.startTransaction = async (...args: unknown[]) => {
      const tx = await start(...args);
      patchCharColumns(tx);
      return tx;
    };
  }
}

function catalogFriendlyFactory(connectionString: string): PrismaPg {
  const factory = new PrismaPg({ connectionString });
  const f = factory as unknown as Connectable;
  for (const method of ['connect', 'connectToShadowDb'] as const) {
    const original = f[method].bind(factory);
    f[method] = async () => {
      const adapter = await original();
      patchCharColumns(adapter);
      return adapter;
    };
  }
  return factory;
}

export async function openSchemaEngine(connectionString: string, schema: SchemaFile): Promise<SchemaEngine> {
  const mod = await loadEngineModule();
  const factory = bindMigrationAwareSqlAdapterFactory(catalogFriendlyFactory(connectionString));
  return mod.SchemaEngine.new({ datamodels: [[schema.path, schema.content]] }, () => {}, factory);
}
