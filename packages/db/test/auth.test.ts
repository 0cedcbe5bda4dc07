import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@segmenta/contracts';
import { createDb, type Db } from '../src/client';
import { canInProject, checkCredentials, createApiToken, createSession, createUser, principalFromSession, principalFromToken, projectRole, requireProject, revokeApiToken, updateUser } from '../src/auth';
import { testDatabaseUrl } from './helpers';

let db: Db;
const stamp = Date.now();
beforeAll(() => {
  db = createDb(testDatabaseUrl());
});
afterAll(async () => {
  await db.user.deleteMany({ where: { email: { endsWith: `-${stamp}@auth.test` } } });
  await db.$disconnect();
});

const mail = (n: string) => `${n}-${stamp}@auth.test`;

describe('accounts, sessions and tokens', () => {
  it('stores passwords as argon2id and checks them; unknown and disabled users get nothing', async () => {
    const user = await createUser(db, { email: mail('ada'), password: 'correct horse battery', role: 'researcher' });
    const row = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect((await checkCredentials(db, mail('ada'), 'correct horse battery'))?.id).toBe(user.id);
    expect(await checkCredentials(db, mail('ada'), 'wrong')).toBeNull();
    expect(await checkCredentials(db, mail('nobody'), 'correct horse battery')).toBeNull();
    const session = await createSession(db, user.id, 1, 'test');
    const token = await createApiToken(db, user.id, 'ci');
    expect(token.token).toMatch(/^sgt_/);
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: token.id } })).tokenHash).not.toContain(token.token);
    expect((await principalFromSession(db, session.token))?.email).toBe(mail('ada'));
    expect((await principalFromToken(db, token.token))?.via).toBe('token');
    await revokeApiToken(db, user.id, token.id);
    expect(await principalFromToken(db, token.token)).toBeNull();
    await updateUser(db, user.id, { disabled: true });
    expect(await principalFromSession(db, session.token)).toBeNull();
    expect(await checkCredentials(db, mail('ada'), 'correct horse battery')).toBeNull();
  });

  it('expires sessions', async () => {
    const user = await createUser(db, { email: mail('brief'), password: 'correct horse battery', role: 'annotator' });
    const session = await createSession(db, user.id, 1, null);
    await db.session.update({ where: { id: session.sessionId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await principalFromSession(db, session.token)).toBeNull();
  });
});

describe('project access', () => {
  it('caps a global annotator at annotator rights and hides projects from non-members', async () => {
    const project = await db.project.create({ data: { name: `access ${stamp}` } });
    const annotator = await createUser(db, { email: mail('ann'), password: 'correct horse battery', role: 'annotator' });
    const researcher = await createUser(db, { email: mail('res'), password: 'correct horse battery', role: 'researcher' });
    await db.projectMember.create({ data: { projectId: project.id, userId: annotator.id, role: 'admin' } });
    const p = (u: { id: string; email: string; role: 'annotator' | 'researcher' | 'admin' }) => ({ userId: u.id, email: u.email, role: u.role, via: 'token' as const });
    expect(await projectRole(db, p(annotator), project.id)).toBe('annotator');
    expect(await projectRole(db, p(researcher), project.id)).toBeNull();
    const err = await requireProject(db, p(annotator), project.id, 'train').catch((e: unknown) => e);
    expect((err as AppError).status).toBe(403);
    expect(((await requireProject(db, p(researcher), project.id, 'view').catch((e: unknown) => e)) as AppError).status).toBe(404);
    expect(canInProject('researcher', 'delete')).toBe(false);
    expect(canInProject('admin', 'members')).toBe(true);
    await db.project.delete({ where: { id: project.id } });
  });
});
