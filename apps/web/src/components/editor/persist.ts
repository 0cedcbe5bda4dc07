// What goes to the server and what stays in localStorage until the server has it.
import type { AnnotationInput, ImageAnnotationsDto } from '@segmenta/contracts';
import { fromDto, newKey, sameGeometry, type Doc, type Instance } from './model';

type PutAnnotation = Omit<AnnotationInput, 'iscrowd'> & { iscrowd?: 0 | 1 };

export function toPutAnnotations(doc: Doc, ids: ReadonlyMap<string, string>): PutAnnotation[] {
  return doc.instances.map((i) => {
    const id = i.id ?? ids.get(i.key);
    // A stored instance's source is the server's to keep; a new one says whether a model made it.
    return { ...(id ? { id } : i.source === 'model' ? { source: 'model' as const } : {}), classId: i.classId, polygons: i.polygons, iscrowd: i.iscrowd };
  });
}

export const docFromDto = (dto: ImageAnnotationsDto): Doc => ({ instances: dto.annotations.map(fromDto) });

/**
 * After a save: instances unchanged since they were sent take the server's version (its id, flags and
 * any clamped points); instances edited meanwhile keep their edits and only learn their id.
 */
export function foldSaved(current: Doc, sent: Doc, saved: ImageAnnotationsDto, ids: Map<string, string>): Doc {
  const byKey = new Map<string, { sent: Instance; server: ImageAnnotationsDto['annotations'][number] }>();
  sent.instances.forEach((s, i) => {
    const server = saved.annotations[i];
    if (server) {
      ids.set(s.key, server.id);
      byKey.set(s.key, { sent: s, server });
    }
  });
  let changed = false;
  const instances = current.instances.map((inst) => {
    const m = byKey.get(inst.key);
    if (!m) return inst;
    if (inst === m.sent) {
      changed = true;
      return { ...fromDto(m.server), key: inst.key };
    }
    if (inst.id !== m.server.id) {
      changed = true;
      return { ...inst, id: m.server.id };
    }
    return inst;
  });
  return changed ? { instances } : current;
}

/**
 * "Keep both": everything on the server plus every local instance the server does not already hold
 * unchanged. A local instance that continues a server one but differs from it comes back as a new
 * instance, so neither side's geometry is dropped.
 */
export function mergeKeepBoth(server: Doc, mine: Doc): Doc {
  const serverById = new Map(server.instances.filter((i) => i.id).map((i) => [i.id!, i]));
  const extra = mine.instances.flatMap((inst) => {
    const twin = inst.id ? serverById.get(inst.id) : undefined;
    if (twin && sameGeometry(twin, inst)) return [];
    if (inst.polygons.length === 0 && twin) return []; // an RLE crowd region the server still holds
    if (inst.polygons.length === 0) return [];
    return [{ ...inst, id: undefined, key: newKey(), source: 'manual' as const }];
  });
  return { instances: [...server.instances, ...extra] };
}

export interface PendingEdits {
  /** The version the edits were made on. */
  baseVersion: number;
  /** Which tab wrote them: a tab clears only its own entry, never another tab's unsaved work. */
  tab: string;
  instances: Instance[];
  at: number;
}

export const pendingKey = (imageId: string) => `segmenta:editor:pending:${imageId}`;

let tabId: string | null = null;
/** Per tab, surviving reloads of that tab (sessionStorage). */
function tab(): string {
  if (tabId) return tabId;
  try {
    tabId = sessionStorage.getItem('segmenta:editor:tab') ?? crypto.randomUUID();
    sessionStorage.setItem('segmenta:editor:tab', tabId);
  } catch {
    tabId = Math.random().toString(36).slice(2);
  }
  return tabId;
}

export function readPending(imageId: string): PendingEdits | null {
  try {
    const raw = localStorage.getItem(pendingKey(imageId));
    if (!raw) return null;
    const p = JSON.parse(raw) as PendingEdits;
    return Array.isArray(p.instances) && typeof p.baseVersion === 'number' ? p : null;
  } catch {
    return null;
  }
}

export function writePending(imageId: string, baseVersion: number, doc: Doc, ids: ReadonlyMap<string, string>): boolean {
  try {
    const instances = doc.instances.map((i) => ({ ...i, id: i.id ?? ids.get(i.key) }));
    localStorage.setItem(pendingKey(imageId), JSON.stringify({ baseVersion, tab: tab(), instances, at: Date.now() } satisfies PendingEdits));
    return true;
  } catch {
    return false; // quota or private mode: the in-memory state still saves when it can
  }
}

export function clearPending(imageId: string) {
  try {
    const raw = localStorage.getItem(pendingKey(imageId));
    if (raw && (JSON.parse(raw) as PendingEdits).tab !== tab()) return;
    localStorage.removeItem(pendingKey(imageId));
  } catch {
    // nothing stored
  }
}
