import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@segmenta/contracts';
import { createDb, type Db } from '../src/client';
import { createUser, updateUser } from '../src/auth';
import { createScratchDatabase, deployMigrations } from '../src/migrate';
import { testDatabaseUrl } from './helpers';

// A database of its own: "the last admin" depends on every user row, and the shared test database
// holds the seeded and bootstrapped admins of other suites.
let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
let db: Db;

beforeAll(async () => {
  scratch = await createScratchDatabase(testDatabaseUrl());
  await deployMigrations(scratch.url);
  db = createDb(scratch.url);
}, 60_000);
afterAll(async () => {
  await db?.$disconnect();
  await scratch?.drop();
});

const admin = (name: string) => createUser(db, { email: `${name}@last-admin.test`, password: 'correct horse battery', role: 'admin' });

describe('the platform always keeps an active admin', () => {
  it('refuses to demote or disable the last active admin, naming the field', async () => {
    const a = await admin('a');
    const b = await admin('b');
    await updateUser(db, b.id, { role: 'researcher' });
    for (const change of [{ role: 'annotator' as const }, { disabled: true }]) {
      const err = await updateUser(db, a.id, change).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('conflict');
      expect((err as AppError).message).toContain('a@last-admin.test is the last active admin');
      expect((err as AppError).details?.[0]?.path).toBe(Object.keys(change)[0]);
    }
    const row = await db.user.findUniqueOrThrow({ where: { id: a.id } });
    expect([row.role, row.disabledAt]).toEqual(['admin', null]);
    // Renaming or resetting the password of the last admin is fine.
    expect((await updateUser(db, a.id, { name: 'Ada' })).name).toBe('Ada');
  });

  it('lets exactly one of two concurrent demotions of the last two admins through', async () => {
    const c = await admin('c');
    await db.user.updateMany({ where: { email: 'a@last-admin.test' }, data: { role: 'researcher' } });
    const d = await admin('d');
    const results = await Promise.allSettled([updateUser(db, c.id, { role: 'researcher' }), updateUser(db, d.id, { disabled: true })]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await db.user.count({ where: { role: 'admin', disabledAt: null } })).toBe(1);
  });
});
