'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { ImageAnnotationsDto, SavedAnnotationsDto } from '@segmenta/contracts';
import type { HistoryStore } from './history';
import { sameGeometry, type Doc } from './model';
import { clearPending, docFromDto, foldSaved, mergeKeepBoth, readPending, toPutAnnotations, writePending } from './persist';

export type SaveState = 'loading' | 'saved' | 'saving' | 'offline' | 'conflict' | 'error';
export type ConflictChoice = 'theirs' | 'mine' | 'both';

export const AUTOSAVE_DELAY_MS = 800;
const RETRY_MS = 4_000;

const sameDoc = (a: Doc, b: Doc) => a.instances.length === b.instances.length && a.instances.every((x, i) => sameGeometry(x, b.instances[i]!));

interface Problem {
  message: string;
  details: { path: string; message: string }[];
}

/**
 * Loads the annotation set, then saves the present document about 800 ms after the last change.
 * Unsaved edits live in localStorage until the server has them, so a reload, a crash or a lost
 * connection loses nothing; a stale version (409) stops saving until the user picks a side.
 */
export function useAutosave(imageId: string, store: HistoryStore) {
  const [state, setState] = useState<SaveState>('loading');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [warnings, setWarnings] = useState<SavedAnnotationsDto['warnings']>([]);
  const [meta, setMeta] = useState<Pick<ImageAnnotationsDto, 'status' | 'reviewComment' | 'version'> | null>(null);
  const stateRef = useRef<SaveState>('loading');
  const version = useRef(0);
  const saved = useRef<Doc | null>(null);
  const ids = useRef(new Map<string, string>());
  const inFlight = useRef(false);
  const loaded = useRef(false);
  const loading = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const url = `/api/images/${imageId}/annotations`;

  const set = (s: SaveState) => {
    stateRef.current = s;
    setState(s);
  };
  const keepLocally = () => writePending(imageId, version.current, store.get().present, ids.current);

  const flush = useCallback(async (): Promise<void> => {
    clearTimeout(timer.current);
    if (!loaded.current || inFlight.current || stateRef.current === 'conflict') return;
    const sent = store.get().present;
    if (sent === saved.current) {
      clearPending(imageId);
      if (stateRef.current !== 'error') set('saved');
      return;
    }
    keepLocally();
    inFlight.current = true;
    set('saving');
    let again = false;
    try {
      const res = await fetch(url, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ version: version.current, annotations: toPutAnnotations(sent, ids.current) }) });
      const body = await res.json().catch(() => ({}));
      if (res.status === 409) return set('conflict');
      if (!res.ok) {
        setProblem({ message: body.error?.message ?? `HTTP ${res.status}`, details: body.error?.details ?? [] });
        return set(res.status >= 500 ? 'offline' : 'error');
      }
      const dto = body as SavedAnnotationsDto;
      version.current = dto.version;
      setMeta({ status: dto.status, reviewComment: dto.reviewComment, version: dto.version });
      setWarnings(dto.warnings ?? []);
      setProblem(null);
      const current = store.get().present;
      const folded = foldSaved(current, sent, dto, ids.current);
      if (current === sent) saved.current = folded;
      if (folded !== current) store.dispatch({ type: 'replace', doc: folded });
      if (current === sent) {
        clearPending(imageId);
        set('saved');
      } else {
        keepLocally();
        again = true;
      }
    } catch {
      set('offline'); // fetch rejects only when the request never got an answer
    } finally {
      inFlight.current = false;
      if (again) void flush();
    }
  }, [imageId, store, url]);

  const schedule = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void flush(), AUTOSAVE_DELAY_MS);
  }, [flush]);

  const fetchServer = useCallback(async () => {
    const res = await fetch(url, { cache: 'no-store' });
    if (!res.ok) throw new Error(`loading annotations: HTTP ${res.status}`);
    return (await res.json()) as ImageAnnotationsDto;
  }, [url]);

  const adopt = (dto: ImageAnnotationsDto) => {
    version.current = dto.version;
    setMeta({ status: dto.status, reviewComment: dto.reviewComment, version: dto.version });
    const doc = docFromDto(dto);
    saved.current = doc;
    return doc;
  };

  // First load, with edits a previous visit could not save. Until it succeeds nothing is sent: a
  // save without the server's version could only conflict, or worse, overwrite.
  const load = useCallback(async () => {
    if (loaded.current || loading.current) return;
    loading.current = true;
    try {
      const dto = await fetchServer();
      loaded.current = true;
      const early = store.get().present; // anything drawn while the load was failing
      const doc = adopt(dto);
      store.dispatch({ type: 'reset', doc });
      const pending = readPending(imageId);
      let local = pending ? { instances: pending.instances } : null;
      if (early.instances.length > 0) local = mergeKeepBoth(local ?? doc, early);
      if (!local || sameDoc(doc, local)) {
        if (pending) clearPending(imageId);
        return set('saved');
      }
      for (const i of local.instances) if (i.id) ids.current.set(i.key, i.id);
      store.dispatch({ type: 'commit', doc: local });
      if (!pending || pending.baseVersion === dto.version) {
        set('saved');
        void flush();
      } else {
        // Someone saved since these edits were made: the user decides.
        version.current = pending.baseVersion;
        set('conflict');
      }
    } catch (err) {
      setProblem({ message: `Could not load the annotations (${(err as Error).message}); retrying`, details: [] });
      set('offline');
    } finally {
      loading.current = false;
    }
  }, [fetchServer, flush, imageId, store]);

  useEffect(() => {
    void load();
  }, [load]);

  useEffect(() => {
    const unsubscribe = store.subscribe(() => {
      if (!loaded.current || store.get().present === saved.current) return;
      if (stateRef.current === 'saved') set('saving');
      schedule();
    });
    const retry = () => {
      if (!loaded.current) void load();
      else if (stateRef.current === 'offline' || (stateRef.current === 'saving' && !inFlight.current)) void flush();
    };
    const interval = setInterval(retry, RETRY_MS);
    const onOnline = () => void (loaded.current ? flush() : load());
    const onHide = () => {
      if (loaded.current && store.get().present !== saved.current) keepLocally();
    };
    window.addEventListener('online', onOnline);
    window.addEventListener('pagehide', onHide);
    window.addEventListener('beforeunload', onHide);
    return () => {
      unsubscribe();
      clearInterval(interval);
      window.removeEventListener('online', onOnline);
      window.removeEventListener('pagehide', onHide);
      window.removeEventListener('beforeunload', onHide);
      clearTimeout(timer.current);
    };
  }, [store, schedule, flush, load]);

  /** Resolves a 409: the server's version, mine over it, or both side by side. */
  const resolve = useCallback(
    async (choice: ConflictChoice) => {
      let dto: ImageAnnotationsDto;
      try {
        dto = await fetchServer();
      } catch (err) {
        setProblem({ message: (err as Error).message, details: [] });
        return;
      }
      const mine = store.get().present;
      const serverDoc = adopt(dto);
      const serverIds = new Set(dto.annotations.map((a) => a.id));
      // Ids the server no longer holds would be refused; those instances are saved as new ones.
      for (const [k, id] of ids.current) if (!serverIds.has(id)) ids.current.delete(k);
      const known = (d: Doc): Doc => ({ instances: d.instances.map((i) => (i.id && !serverIds.has(i.id) ? { ...i, id: undefined } : i)) });
      setProblem(null);
      if (choice === 'theirs') {
        store.dispatch({ type: 'commit', doc: serverDoc });
        clearPending(imageId);
        set('saved');
        return;
      }
      store.dispatch({ type: 'commit', doc: choice === 'both' ? mergeKeepBoth(serverDoc, mine) : known(mine) });
      set('saving');
      await flush();
    },
    [fetchServer, flush, imageId, store],
  );

  const retry = useCallback(() => (loaded.current ? flush() : load()), [flush, load]);
  return { state, problem, warnings, meta, resolve, retry };
}
