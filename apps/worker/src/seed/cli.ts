// Seeds the demo project into DATABASE_URL / DATA_DIR; safe to run again.
import { loadServerEnv } from '@segmenta/contracts';
import { createDb, LocalBlobStore } from '@segmenta/db';
import { describeDemo, seedDemoProject } from './demo';

const env = loadServerEnv();
const db = createDb(env.DATABASE_URL);
try {
  const created = await seedDemoProject(db, new LocalBlobStore(env.DATA_DIR));
  console.log(`${created ? 'seeded' : 'already seeded'}: ${await describeDemo(db)}`);
} catch (err) {
  console.error(`seeding the demo project failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
