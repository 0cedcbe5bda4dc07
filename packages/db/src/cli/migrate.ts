// `npm run db:migrate -- deploy|check|create <name>`: Prisma's migrate commands without the native engine.
import { createMigration, deployMigrations, diffDatabaseToSchema } from '../migrate/migrations';
import { loadServerEnv } from '@segmenta/contracts';

const [command = 'deploy', name] = process.argv.slice(2);
const url = loadServerEnv().DATABASE_URL;

try {
  if (command === 'deploy') {
    const applied = await deployMigrations(url);
    console.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database is up to date');
  } else if (command === 'check') {
    const sql = await diffDatabaseToSchema(url);
    if (sql) {
      console.error(`database differs from prisma/schema.prisma; SQL to reconcile:\n${sql}`);
      process.exit(1);
    }
    console.log('database matches prisma/schema.prisma');
  } else if (command === 'create') {
    if (!name || !/^[a-z0-9_]+$/.test(name)) throw new Error('usage: migrate create <name> (lower-case letters, digits, _)');
    const created = await createMigration(url, name);
    console.log(created ? `created prisma/migrations/${created}/migration.sql` : 'schema.prisma and migrations agree: nothing to create');
  } else {
    throw new Error(`unknown command "${command}"; use deploy, check or create <name>`);
  }
} catch (err) {
  console.error(`migrate ${command} failed: ${(err as Error).message}`);
  process.exit(1);
}
