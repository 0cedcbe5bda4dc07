import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../src/client';
import { createProject, getProject, listProjects } from '../src/projects';
import { testDatabaseUrl } from './helpers';

// Every model and every field through the generated client, against the migrated test database:
// proof that the migrations and schema.prisma agree on more than table names.

let db: Db;
beforeAll(() => {
  db = createDb(testDatabaseUrl());
});
afterAll(async () => {
  await db.$disconnect();
});

describe('schema round trip', () => {
  it('writes and reads every model with every field, and cascades deletes', async () => {
    const stamp = Date.now();
    const user = await db.user.create({ data: { email: `ada-${stamp}@example.org`, name: 'Ada', passwordHash: 'x', role: 'researcher', disabledAt: null } });
    const session = await db.session.create({ data: { userId: user.id, tokenHash: `s-${stamp}`, userAgent: 'test', expiresAt: new Date(Date.now() + 3600_000), revokedAt: null } });
    const token = await db.apiToken.create({ data: { userId: user.id, name: 'ci', prefix: 'sg_abc', tokenHash: `t-${stamp}`, lastUsedAt: new Date(), expiresAt: null } });
    const audit = await db.auditLog.create({ data: { actorId: user.id, action: 'project.delete', targetType: 'project', targetId: 'p', details: { why: 'test' } } });
    const project = await db.project.create({ data: { name: `schema ${stamp}`, description: 'd', archivedAt: null } });
    await db.projectMember.create({ data: { projectId: project.id, userId: user.id, role: 'annotator' } });
    const cls = await db.labelClass.create({ data: { projectId: project.id, name: 'car', color: '#009E73', hotkey: '3', order: 0 } });
    const image = await db.image.create({
      data: {
        projectId: project.id, sha256: 'a'.repeat(64), fileName: 'a.jpg', mimeType: 'image/jpeg', width: 640, height: 480, sizeBytes: 1234,
        split: 'val', status: 'needs_review', originalKey: 'o', webKey: 'w', thumbKey: 't', annotationsVersion: 3,
      },
    });
    const ann = await db.annotation.create({
      data: {
        imageId: image.id, labelClassId: cls.id, polygons: [[1, 2, 3, 4, 5, 6]], rle: { size: [480, 640], counts: 'abc' },
        bboxX: 1, bboxY: 2, bboxW: 4, bboxH: 4, area: 2, iscrowd: true, source: 'model', version: 2, authorId: user.id,
      },
    });
    const run = await db.trainingRun.create({
      data: {
        projectId: project.id, name: 'r', config: { epochs: 1 }, datasetSnapshot: { train: [image.id] }, status: 'running', progress: 0.5,
        epochsDone: 1, error: null, backend: 'wasm', createdById: user.id, startedAt: new Date(), finishedAt: null,
      },
    });
    await db.epochMetric.create({
      data: { runId: run.id, epoch: 1, split: 'val', loss: 1.5, lossClassifier: 0.1, lossBoxReg: 0.2, lossMask: 0.3, lossObjectness: 0.4, lossRpnBoxReg: 0.5, mapBbox: 0.6, mapSegm: 0.55, accuracy: 0.9 },
    });
    await db.stepMetric.create({ data: { runId: run.id, step: 10, epoch: 1, loss: 2.5, learningRate: 1e-4 } });
    const ckpt = await db.checkpoint.create({ data: { runId: run.id, epoch: 1, path: 'ckpt', valLoss: 1.5, isBest: true } });
    await db.prediction.create({
      data: { runId: run.id, checkpointId: ckpt.id, imageId: image.id, labelClassId: cls.id, classIndex: 3, score: 0.97, bboxX: 1, bboxY: 2, bboxW: 3, bboxH: 4, maskRle: { size: [480, 640], counts: 'xyz' } },
    });

    const back = await db.project.findUniqueOrThrow({
      where: { id: project.id },
      include: {
        members: { include: { user: { include: { sessions: true, apiTokens: true, auditLogs: true } } } },
        classes: true,
        images: { include: { annotations: { include: { author: true } }, predictions: { include: { checkpoint: true, labelClass: true } } } },
        runs: { include: { epochMetrics: true, stepMetrics: true, checkpoints: true, createdBy: true } },
      },
    });
    expect(back.members[0]!.user.sessions[0]!.id).toBe(session.id);
    expect(back.members[0]!.user.apiTokens[0]!.id).toBe(token.id);
    expect(back.members[0]!.user.auditLogs[0]!.id).toBe(audit.id);
    expect(back.images[0]!.annotations[0]).toMatchObject({ id: ann.id, polygons: [[1, 2, 3, 4, 5, 6]], iscrowd: true, source: 'model', version: 2 });
    expect(back.images[0]!.annotations[0]!.author!.email).toBe(user.email);
    expect(back.images[0]!.predictions[0]!.checkpoint!.isBest).toBe(true);
    expect(back.images[0]!.predictions[0]!.labelClass!.name).toBe('car');
    expect(back.runs[0]!.epochMetrics[0]).toMatchObject({ lossMask: 0.3, mapSegm: 0.55, split: 'val' });
    expect(back.runs[0]!.stepMetrics[0]!.learningRate).toBe(1e-4);
    expect(back.runs[0]!.createdBy!.id).toBe(user.id);

    await db.project.delete({ where: { id: project.id } });
    expect(await db.image.count({ where: { projectId: project.id } })).toBe(0);
    expect(await db.annotation.count({ where: { id: ann.id } })).toBe(0);
    expect(await db.epochMetric.count({ where: { runId: run.id } })).toBe(0);
    expect(await db.prediction.count({ where: { runId: run.id } })).toBe(0);

    await db.user.delete({ where: { id: user.id } });
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
    expect((await db.auditLog.findUniqueOrThrow({ where: { id: audit.id } })).actorId).toBeNull();
  });

  it('enforces one image per content hash per project', async () => {
    const p = await db.project.create({ data: { name: `dup ${Date.now()}` } });
    const row = { projectId: p.id, sha256: 'b'.repeat(64), fileName: 'x.png', mimeType: 'image/png', width: 1, height: 1, sizeBytes: 1, originalKey: 'o', webKey: 'w', thumbKey: 't' };
    await db.image.create({ data: row });
    await expect(db.image.create({ data: { ...row, fileName: 'y.png' } })).rejects.toThrow(/Unique constraint/i);
    await db.project.delete({ where: { id: p.id } });
  });
});

describe('project data access', () => {
  it('creates projects with the ten default classes in order, with hotkeys 1..0', async () => {
    const p = await createProject(db, { name: `defaults ${Date.now()}` });
    expect(p.classes.map((c) => c.name)).toEqual(['person', 'bench', 'car', 'fire extinguisher', 'charger horse', 'animal', 'bicycle', 'chair', 'table', 'trash can']);
    expect(p.classes.map((c) => c.hotkey).join('')).toBe('1234567890');
    expect(p.splitCounts).toEqual({ train: 0, val: 0, test: 0, unassigned: 0 });
    await db.project.delete({ where: { id: p.id } });
  });

  it('counts images per split and annotations per class', async () => {
    const p = await createProject(db, { name: `counts ${Date.now()}`, classes: [{ name: 'a' }, { name: 'b', color: '#123456' }] });
    const [a, b] = p.classes;
    const base = { projectId: p.id, fileName: 'f', mimeType: 'image/png', width: 10, height: 10, sizeBytes: 1, originalKey: 'o', webKey: 'w', thumbKey: 't' };
    const i1 = await db.image.create({ data: { ...base, sha256: '1'.repeat(64), split: 'train' } });
    await db.image.create({ data: { ...base, sha256: '2'.repeat(64), split: 'test' } });
    const ann = { polygons: [[0, 0, 1, 0, 1, 1]], bboxX: 0, bboxY: 0, bboxW: 1, bboxH: 1, area: 0.5 };
    await db.annotation.createMany({ data: [{ ...ann, imageId: i1.id, labelClassId: a!.id }, { ...ann, imageId: i1.id, labelClassId: a!.id }, { ...ann, imageId: i1.id, labelClassId: b!.id }] });
    const got = await getProject(db, p.id);
    expect(got!.splitCounts).toEqual({ train: 1, val: 0, test: 1, unassigned: 0 });
    expect(got!.classCounts).toEqual({ [a!.id]: 2, [b!.id]: 1 });
    expect(got!.annotationCount).toBe(3);
    expect(got!.classes[1]!.color).toBe('#123456');
    const listed = (await listProjects(db)).find((x) => x.id === p.id);
    expect(listed).toMatchObject({ imageCount: 2, annotationCount: 3 });
    await db.project.delete({ where: { id: p.id } });
  });
});
