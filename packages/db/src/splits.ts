import { seededRandom, type AutoSplitBody, type Split } from '@segmenta/contracts';
import type { Db } from './client';

const ORDER: Exclude<Split, 'unassigned'>[] = ['train', 'val', 'test'];

/**
 * Plans a split: images are grouped by the rarest class they contain (images without annotations form
 * their own group) and each group is shuffled with the seed. Walking the groups one after another,
 * each image goes to the split furthest behind its share so far, so every group is spread over the
 * splits by the ratios and the totals come out as exact as rounding allows. Input order does not
 * matter (ids are sorted first): the same images and seed always give the same split.
 */
export function planSplit(
  images: { id: string; classIds: string[] }[],
  ratios: Record<'train' | 'val' | 'test', number>,
  seed: number,
): Map<string, Exclude<Split, 'unassigned'>> {
  const frequency = new Map<string, number>();
  for (const img of images) for (const c of new Set(img.classIds)) frequency.set(c, (frequency.get(c) ?? 0) + 1);
  const groups = new Map<string, string[]>();
  for (const img of [...images].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const rarest = [...new Set(img.classIds)].sort((a, b) => frequency.get(a)! - frequency.get(b)! || (a < b ? -1 : 1))[0] ?? '';
    const g = groups.get(rarest) ?? [];
    g.push(img.id);
    groups.set(rarest, g);
  }
  const rand = seededRandom(seed);
  const total = ratios.train + ratios.val + ratios.test;
  const share = ORDER.map((s) => ratios[s] / total);
  const counts = [0, 0, 0];
  const plan = new Map<string, Exclude<Split, 'unassigned'>>();
  let n = 0;
  for (const key of [...groups.keys()].sort()) {
    const ids = groups.get(key)!;
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    for (const id of ids) {
      n++;
      let best = 0;
      for (let s = 1; s < 3; s++) if (share[s]! * n - counts[s]! > share[best]! * n - counts[best]! + 1e-12) best = s;
      counts[best]!++;
      plan.set(id, ORDER[best]!);
    }
  }
  return plan;
}

/** Applies an automatic split to a project's images in one transaction; returns the counts. */
export async function autoSplit(db: Db, projectId: string, body: AutoSplitBody): Promise<Record<Split, number>> {
  const images = await db.image.findMany({
    where: { projectId, ...(body.onlyUnassigned ? { split: 'unassigned' } : {}) },
    select: { id: true, annotations: { select: { labelClassId: true } } },
  });
  const plan = planSplit(
    images.map((i) => ({ id: i.id, classIds: i.annotations.map((a) => a.labelClassId) })),
    { train: body.train, val: body.val, test: body.test },
    body.seed,
  );
  const bySplit = new Map<Split, string[]>();
  for (const [id, s] of plan) bySplit.set(s, [...(bySplit.get(s) ?? []), id]);
  await db.$transaction([...bySplit].map(([split, ids]) => db.image.updateMany({ where: { id: { in: ids } }, data: { split } })));
  const counts: Record<Split, number> = { train: 0, val: 0, test: 0, unassigned: 0 };
  for (const [s, ids] of bySplit) counts[s] = ids.length;
  return counts;
}
