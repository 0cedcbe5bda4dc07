// Node-only entry (`@segmenta/db/migrate`): kept apart from the client so bundlers never see it.
export { deployMigrations, diffDatabaseToSchema, createMigration, readMigrationList, DEFAULT_PATHS, REPO_ROOT, type MigrationPaths } from './migrations';
export { recreateDatabase, createDatabaseIfMissing, createScratchDatabase } from './scratch-database';
