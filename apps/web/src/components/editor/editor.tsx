'use client';

import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { ImageStatus, LabelClassDto } from '@segmenta/contracts';
import { ConflictDialog } from './conflict-dialog';
import { EditorCanvas, type CanvasApi, type Selection } from './editor-canvas';
import { FlowBar } from './flow-bar';
import { HistoryStore } from './history';
import { Preannotate, type ModelOption, type ModelRegion } from './preannotate';
import { addPart, deleteVertex, newKey, removeInstance, setClass, updateInstance } from './model';
import { classHotkeys } from './hotkeys';
import { RegionList } from './region-list';
import { Toolbar, type ViewSettings } from './toolbar';
import { useAutosave, type SaveState } from './use-autosave';

export interface EditorProps {
  projectId: string;
  image: { id: string; fileName: string; width: number; height: number; status: ImageStatus };
  classes: LabelClassDto[];
  /** Gallery filters (split, status) for previous/next. */
  query: string;
  /** Trained models to pre-annotate with. */
  models: readonly ModelOption[];
}

const SAVE_TEXT: Record<SaveState, string> = {
  loading: 'Loading…',
  saved: 'All changes saved',
  saving: 'Saving…',
  offline: 'Offline: edits kept on this device',
  conflict: 'Conflict: choose a version',
  error: 'Not saved',
};

const toggled = (s: ReadonlySet<string>, key: string) => {
  const n = new Set(s);
  if (n.has(key)) n.delete(key);
  else n.add(key);
  return n;
};

const isTyping = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

export function Editor({ projectId, image, classes: unsorted, query, models }: EditorProps) {
  const classes = useMemo(() => [...unsorted].sort((a, b) => a.order - b.order), [unsorted]);
  const classById = useMemo(() => new Map(classes.map((c) => [c.id, c])), [classes]);
  const colors = useMemo(() => new Map(classes.map((c) => [c.id, c.color])), [classes]);
  const hotkeys = useMemo(() => classHotkeys(classes), [classes]);
  const [store] = useState(() => new HistoryStore({ instances: [] }));
  const history = useSyncExternalStore(store.subscribe, store.get, store.get);
  const doc = history.present;
  const save = useAutosave(image.id, store);
  const [status, setStatus] = useState<{ status: ImageStatus; reviewComment: string | null }>({ status: image.status, reviewComment: null });
  const [activeClassId, setActiveClassId] = useState<string | null>(classes[0]?.id ?? null);
  const [mode, setMode] = useState<'select' | 'draw'>('draw');
  const [draft, setDraft] = useState<number[] | null>(null);
  const [partOf, setPartOf] = useState<string | null>(null);
  const [selection, setSelection] = useState<Selection>({ key: null, vertex: null });
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const [locked, setLocked] = useState<ReadonlySet<string>>(new Set());
  const [hoverKey, setHoverKey] = useState<string | null>(null);
  const [settings, setSettings] = useState<ViewSettings>({ opacity: 0.35, brightness: 1, contrast: 1 });
  const [zoom, setZoom] = useState(1);
  const canvasApi = useRef<CanvasApi | null>(null);

  useEffect(() => {
    if (save.meta) setStatus({ status: save.meta.status, reviewComment: save.meta.reviewComment });
  }, [save.meta]);

  // A selection that undo/redo removed is dropped.
  const selected = doc.instances.find((i) => i.key === selection.key) ?? null;
  useEffect(() => {
    if (selection.key && !selected) setSelection({ key: null, vertex: null });
  }, [selection.key, selected]);

  const commit = store.dispatch;
  const editableSel = selected && !locked.has(selected.key) && selected.polygons.length > 0 ? selected : null;

  const closeDraft = useCallback(() => {
    if (!draft || draft.length < 6) return;
    const present = store.get().present;
    const target = partOf ? present.instances.find((i) => i.key === partOf) : undefined;
    if (target) {
      commit({ type: 'commit', doc: updateInstance(present, target.key, (i) => addPart(i, draft)) });
      setSelection({ key: target.key, vertex: null });
    } else if (activeClassId) {
      const key = newKey();
      commit({ type: 'commit', doc: { instances: [...present.instances, { key, classId: activeClassId, polygons: [draft], iscrowd: 0, source: 'manual', flags: [] }] } });
      setSelection({ key, vertex: null });
    }
    setDraft(null);
    setPartOf(null);
  }, [draft, partOf, activeClassId, store, commit]);

  const pickClass = useCallback(
    (id: string) => {
      setActiveClassId(id);
      if (editableSel && editableSel.classId !== id) commit({ type: 'commit', doc: updateInstance(store.get().present, editableSel.key, (i) => setClass(i, id)) });
    },
    [editableSel, commit, store],
  );

  const deleteSelection = useCallback(() => {
    if (!editableSel) return;
    const present = store.get().present;
    const v = selection.vertex;
    if (v && v.index < (editableSel.polygons[v.part]?.length ?? 0) / 2) {
      commit({ type: 'commit', doc: updateInstance(present, editableSel.key, (i) => deleteVertex(i, v.part, v.index)) });
      setSelection({ key: editableSel.key, vertex: null });
    } else {
      commit({ type: 'commit', doc: removeInstance(present, editableSel.key) });
      setSelection({ key: null, vertex: null });
    }
  }, [editableSel, selection.vertex, commit, store]);

  const startPart = useCallback(() => {
    if (!editableSel) return;
    setPartOf(editableSel.key);
    setDraft(null);
    setMode('draw');
  }, [editableSel]);

  const undo = useCallback(() => {
    setDraft(null);
    commit({ type: 'undo' });
  }, [commit]);
  const redo = useCallback(() => {
    setDraft(null);
    commit({ type: 'redo' });
  }, [commit]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target)) return;
      const k = e.key;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && (k === 'z' || k === 'Z')) {
        e.preventDefault();
        if (e.shiftKey) redo();
        else if (draft) setDraft(draft.length > 2 ? draft.slice(0, -2) : null);
        else undo();
        return;
      }
      if (mod && (k === 'y' || k === 'Y')) {
        e.preventDefault();
        redo();
        return;
      }
      if (mod || e.altKey) return;
      const onButton = e.target instanceof HTMLButtonElement || e.target instanceof HTMLAnchorElement;
      if (k === 'Enter' && draft && !onButton) {
        e.preventDefault();
        closeDraft();
      } else if (k === 'Escape') {
        if (draft || partOf) {
          setDraft(null);
          setPartOf(null);
        } else setSelection({ key: null, vertex: null });
      } else if (k === 'Backspace' && draft) {
        e.preventDefault();
        setDraft(draft.length > 2 ? draft.slice(0, -2) : null);
      } else if ((k === 'Delete' || k === 'Backspace') && !draft) {
        e.preventDefault();
        deleteSelection();
      } else if (hotkeys.has(k)) {
        pickClass(hotkeys.get(k)!);
      } else if (k === 'f' || k === 'F') canvasApi.current?.fit();
      else if (k === 'n' || k === 'N') setMode('draw');
      else if (k === 'v' || k === 'V') {
        setMode('select');
        setDraft(null);
      } else if (k === 'a' || k === 'A') startPart();
      else if (k === '+' || k === '=') canvasApi.current?.zoomBy(1.25);
      else if (k === '-') canvasApi.current?.zoomBy(0.8);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [draft, partOf, closeDraft, deleteSelection, hotkeys, pickClass, startPart, undo, redo]);

  // Model-made regions arrive together as one undo step; autosave stores them as `source: 'model'`.
  const addModelRegions = useCallback(
    (regions: ModelRegion[]) => {
      if (regions.length === 0) return;
      const present = store.get().present;
      const made = regions.map((r) => ({ key: newKey(), classId: r.classId, polygons: r.polygons, iscrowd: 0 as const, source: 'model' as const, flags: [] }));
      commit({ type: 'commit', doc: { instances: [...present.instances, ...made] } });
    },
    [store, commit],
  );

  const toggleHidden = useCallback((key: string) => setHidden((s) => toggled(s, key)), []);
  const toggleLocked = useCallback((key: string) => setLocked((s) => toggled(s, key)), []);
  const selectFromList = useCallback(
    (key: string) => {
      setSelection({ key, vertex: null });
      const inst = store.get().present.instances.find((i) => i.key === key);
      if (inst) setActiveClassId(inst.classId);
    },
    [store],
  );

  return (
    <div className="space-y-3" data-editor-ready={save.state !== 'loading'}>
      <Toolbar
        classes={classes}
        hotkeys={hotkeys}
        activeClassId={activeClassId}
        onClass={pickClass}
        mode={mode}
        onMode={(m) => {
          setMode(m);
          if (m === 'select') setDraft(null);
        }}
        canAddPart={!!editableSel}
        onAddPart={startPart}
        canUndo={history.past.length > 0}
        canRedo={history.future.length > 0}
        onUndo={undo}
        onRedo={redo}
        onFit={() => canvasApi.current?.fit()}
        onZoom={(f) => canvasApi.current?.zoomBy(f)}
        zoom={zoom}
        settings={settings}
        onSettings={setSettings}
      />
      <div className="grid gap-3 lg:grid-cols-[1fr_300px]">
        <div className="space-y-1">
          <EditorCanvas
            width={image.width}
            height={image.height}
            imageUrl={`/api/images/${image.id}/file?variant=web`}
            alt={image.fileName}
            store={store}
            doc={doc}
            colors={colors}
            hidden={hidden}
            locked={locked}
            hoverKey={hoverKey}
            selection={selection}
            onSelect={setSelection}
            mode={mode}
            draft={draft}
            onDraft={setDraft}
            onCloseDraft={closeDraft}
            opacity={settings.opacity}
            brightness={settings.brightness}
            contrast={settings.contrast}
            apiRef={canvasApi}
            onZoom={setZoom}
          />
          <p className="text-xs text-slate-500">
            {partOf ? 'Drawing a new part of the selected region. ' : ''}Click to add points; close on the first point, Enter or double-click; Esc cancels, Backspace removes the last point. Drag points or the “+” handles, Alt+click an edge to insert, Delete removes. Wheel zooms, Space+drag or middle button pans, F fits.
          </p>
        </div>
        <aside className="space-y-3">
          <p role="status" aria-label="Save state" data-save-state={save.state} data-version={save.meta?.version} className={`rounded px-2 py-1 text-sm ${save.state === 'saved' ? 'bg-emerald-50 text-emerald-800' : save.state === 'saving' || save.state === 'loading' ? 'bg-slate-100 text-slate-700' : 'bg-amber-50 text-amber-900'}`}>
            {SAVE_TEXT[save.state]}
            {save.state === 'offline' && (
              <button type="button" onClick={() => void save.retry()} className="ml-2 underline">
                Retry
              </button>
            )}
          </p>
          {save.problem && (save.state === 'error' || save.state === 'offline') && (
            <div role="alert" className="rounded border border-red-200 bg-red-50 p-2 text-sm text-red-900">
              {save.problem.message}
              <ul className="mt-1 list-disc pl-4 text-xs">
                {save.problem.details.map((d) => (
                  <li key={d.path + d.message}>
                    <code>{d.path}</code>: {d.message}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {save.warnings.length > 0 && (
            <ul aria-label="Save warnings" className="rounded border border-amber-200 bg-amber-50 p-2 text-xs text-amber-900">
              {save.warnings.map((w) => (
                <li key={w.path + w.message}>
                  <code>{w.path}</code>: {w.message}
                </li>
              ))}
            </ul>
          )}
          <FlowBar projectId={projectId} imageId={image.id} query={query} status={status.status} reviewComment={status.reviewComment} onStatus={(s, c) => setStatus({ status: s, reviewComment: c })} />
          <Preannotate models={models} image={image} classes={classes} ready={save.state !== 'loading'} onRegions={addModelRegions} />
          <section aria-label="Region list" className="rounded-lg border border-slate-200 bg-white">
            <h2 className="border-b border-slate-100 px-2 py-1.5 text-sm font-semibold">Regions ({doc.instances.length})</h2>
            <RegionList
              instances={doc.instances}
              width={image.width}
              height={image.height}
              classes={classById}
              selectedKey={selection.key}
              hidden={hidden}
              locked={locked}
              onSelect={selectFromList}
              onHover={setHoverKey}
              onToggleHidden={toggleHidden}
              onToggleLocked={toggleLocked}
            />
          </section>
        </aside>
      </div>
      {save.state === 'conflict' && <ConflictDialog onChoose={save.resolve} />}
    </div>
  );
}
