// Creates the database if needed (or recreates it with --recreate), applies prisma/migrations
// offline, and seeds the demo project with --seed. Used by `npm start` and `npm test`.
import { loadServerEnv, redactUrl } from '@segmenta/contracts';
import { createDb, LocalBlobStore } from '@segmenta/db';
import { createDatabaseIfMissing, deployMigrations, recreateDatabase } from '@segmenta/db/migrate';
import { describeDemo, seedDemoProject } from '../apps/worker/src/seed/demo';

const args = new Set(process.argv.slice(2));
const env = loadServerEnv();
const where = redactUrl(env.DATABASE_URL);

try {
  if (args.has('--recreate')) {
    await recreateDatabase(env.DATABASE_URL);
    console.log(`[segmenta] recreated ${where}`);
  } else if (await createDatabaseIfMissing(env.DATABASE_URL)) {
    console.log(`[segmenta] created ${where}`);
  }
  const applied = await deployMigrations(env.DATABASE_URL);
  console.log(`[segmenta] migrations: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
  if (args.has('--seed')) {
    const db = createDb(env.DATABASE_URL);
    try {
      const created = await seedDemoProject(db, new LocalBlobStore(env.DATA_DIR));
      console.log(`[segmenta] demo project ${created ? 'seeded' : 'already present'}: ${await describeDemo(db)}`);
    } finally {
      await db.$disconnect();
    }
  }
} catch (err) {
  console.error(`[segmenta] preparing the database at ${where} failed: ${(err as Error).message}`);
  process.exit(1);
}
