'use client';

import { useEffect, useLayoutEffect, useRef, type RefObject } from 'react';
import { hitEdge, hitMidpoint, hitRegion, hitVertex, pointInInstance, HANDLE_PX } from './hit';
import type { HistoryStore } from './history';
import { clamp, insertVertex, isRleOnly, moveVertex, translate, updateInstance, type Doc, type Instance } from './model';
import { drawScene } from './render';
import { fitView, panBy, toImage, wheelFactor, zoomAt, type Point, type View } from './view';

export interface Selection {
  key: string | null;
  vertex: { part: number; index: number } | null;
}

export interface CanvasApi {
  fit: () => void;
  zoomBy: (factor: number) => void;
  view: () => View;
}

export interface EditorCanvasProps {
  width: number;
  height: number;
  imageUrl: string;
  alt: string;
  store: HistoryStore;
  doc: Doc;
  colors: ReadonlyMap<string, string>;
  hidden: ReadonlySet<string>;
  locked: ReadonlySet<string>;
  hoverKey: string | null;
  selection: Selection;
  onSelect: (s: Selection) => void;
  mode: 'select' | 'draw';
  draft: number[] | null;
  onDraft: (d: number[] | null) => void;
  onCloseDraft: () => void;
  opacity: number;
  brightness: number;
  contrast: number;
  apiRef: RefObject<CanvasApi | null>;
  onZoom: (scale: number) => void;
}

type Drag =
  | { kind: 'pan'; last: Point }
  | { kind: 'vertex'; key: string; part: number; index: number; before: Doc }
  | { kind: 'move'; key: string; start: Point; before: Doc; original: Instance };

declare global {
  interface Window {
    /** Render times (ms) of the last frames, for bench/editor-frames.ts. */
    __segmentaEditor?: { renders: number[]; view: () => View };
  }
}

const SETTLE_MS = 150;
const REDRAW_MS = 250;

const isTyping = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

export function EditorCanvas(props: EditorCanvasProps) {
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const img = useRef<HTMLImageElement>(null);
  const latest = useRef(props);
  latest.current = props;
  const view = useRef<View>({ scale: 1, x: 0, y: 0 });
  const size = useRef({ w: 0, h: 0, fitted: false });
  const drag = useRef<Drag | null>(null);
  const cursor = useRef<Point | null>(null);
  const space = useRef(false);
  const lastMove = useRef(0);
  const frame = useRef(0);

  // While the view moves, most frames only transform the last overlay on the compositor (no
  // rasterisation); the overlay is redrawn for real every REDRAW_MS during motion, when the view
  // settles, and whenever what it shows changes.
  const drawn = useRef<{ view: View; at: number; key: unknown[] } | null>(null);
  const draw = () => {
    frame.current = 0;
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const t0 = performance.now();
    const p = latest.current;
    const v = view.current;
    if (img.current) img.current.style.transform = `matrix(${v.scale},0,0,${v.scale},${v.x},${v.y})`;
    const moving = t0 - lastMove.current < SETTLE_MS;
    const key = [p.doc, p.selection, p.hoverKey, p.draft, p.draft ? cursor.current : null, p.hidden, p.opacity, p.colors, size.current.w, size.current.h];
    const last = drawn.current;
    const stats = (window.__segmentaEditor ??= { renders: [], view: () => view.current });
    // A later editor (client-side navigation to another image) must answer with its own view.
    stats.view = () => view.current;
    if (moving && last && t0 - last.at < REDRAW_MS && key.every((k, i) => k === last.key[i])) {
      const k = v.scale / last.view.scale;
      c.style.transform = `matrix(${k},0,0,${k},${v.x - last.view.x * k},${v.y - last.view.y * k})`;
    } else {
      c.style.transform = '';
      drawScene(ctx, size.current.w, size.current.h, window.devicePixelRatio || 1, {
        instances: p.doc.instances,
        view: v,
        colors: p.colors,
        hidden: p.hidden,
        selectedKey: p.selection.key,
        selectedVertex: p.selection.vertex,
        hoverKey: p.hoverKey,
        draft: p.draft,
        cursor: p.draft ? cursor.current : null,
        opacity: p.opacity,
        moving,
      });
      drawn.current = { view: { ...v }, at: t0, key };
    }
    stats.renders.push(performance.now() - t0);
    if (stats.renders.length > 10_000) stats.renders.splice(0, 5_000);
    // The real redraw (with midpoint handles) once the view has settled.
    if (moving) setTimeout(requestDraw, SETTLE_MS + 10);
  };
  const requestDraw = () => {
    if (!frame.current) frame.current = requestAnimationFrame(draw);
  };
  const setView = (v: View) => {
    view.current = v;
    lastMove.current = performance.now();
    latest.current.onZoom(v.scale);
    requestDraw();
  };
  const fit = () => setView(fitView(latest.current.width, latest.current.height, size.current.w, size.current.h));

  props.apiRef.current = {
    fit,
    zoomBy: (f) => setView(zoomAt(view.current, { x: size.current.w / 2, y: size.current.h / 2 }, f)),
    view: () => view.current,
  };

  useEffect(() => {
    requestDraw();
  });

  useLayoutEffect(() => {
    const el = wrap.current!;
    const ro = new ResizeObserver(() => {
      const dpr = window.devicePixelRatio || 1;
      size.current.w = el.clientWidth;
      size.current.h = el.clientHeight;
      canvas.current!.width = Math.round(el.clientWidth * dpr);
      canvas.current!.height = Math.round(el.clientHeight * dpr);
      if (!size.current.fitted && el.clientWidth > 0) {
        size.current.fitted = true;
        fit();
      }
      requestDraw();
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const c = wrap.current!;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = c.getBoundingClientRect();
      setView(zoomAt(view.current, { x: e.clientX - r.left - c.clientLeft, y: e.clientY - r.top - c.clientTop }, wheelFactor(e.deltaY, e.deltaMode, e.ctrlKey)));
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== ' ' || isTyping(e.target) || (e.target instanceof HTMLButtonElement && e.type === 'keydown' && !space.current)) return;
      space.current = e.type === 'keydown';
      e.preventDefault();
      canvas.current!.style.cursor = space.current ? 'grab' : '';
    };
    c.addEventListener('wheel', onWheel, { passive: false });
    window.addEventListener('keydown', onKey);
    window.addEventListener('keyup', onKey);
    return () => {
      c.removeEventListener('wheel', onWheel);
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('keyup', onKey);
    };
  }, []);

  const imagePoint = (e: { clientX: number; clientY: number }): Point => {
    // The wrapper, not the canvas: the canvas itself is CSS-transformed during motion.
    const w = wrap.current!;
    const r = w.getBoundingClientRect();
    return toImage(view.current, { x: e.clientX - r.left - w.clientLeft, y: e.clientY - r.top - w.clientTop });
  };
  const clampPoint = (p: Point): Point => ({ x: clamp(p.x, 0, latest.current.width), y: clamp(p.y, 0, latest.current.height) });
  const editable = (inst: Instance | undefined) => !!inst && !isRleOnly(inst) && !latest.current.hidden.has(inst.key) && !latest.current.locked.has(inst.key);

  const onMouseDown = (e: React.MouseEvent) => {
    canvas.current!.focus({ preventScroll: true });
    const p = latest.current;
    if (e.button === 1 || (e.button === 0 && space.current)) {
      e.preventDefault();
      drag.current = { kind: 'pan', last: { x: e.clientX, y: e.clientY } };
      return;
    }
    if (e.button !== 0) return;
    const pt = imagePoint(e);
    const at = clampPoint(pt);
    if (p.draft) {
      const n = p.draft.length / 2;
      const first = { x: p.draft[0]!, y: p.draft[1]! };
      const nearFirst = Math.hypot(first.x - pt.x, first.y - pt.y) * view.current.scale <= HANDLE_PX + 2;
      if (n >= 3 && (e.detail >= 2 || nearFirst)) p.onCloseDraft();
      else if (e.detail < 2) p.onDraft([...p.draft, at.x, at.y]);
      return;
    }
    const doc = p.store.get().present;
    const sel = doc.instances.find((i) => i.key === p.selection.key);
    if (editable(sel)) {
      const v = hitVertex(sel!, pt, view.current);
      if (v) {
        p.onSelect({ key: sel!.key, vertex: { part: v.part, index: v.index } });
        drag.current = { kind: 'vertex', key: sel!.key, part: v.part, index: v.index, before: doc };
        return;
      }
      const edge = hitMidpoint(sel!, pt, view.current) ?? (e.altKey || e.detail >= 2 ? hitEdge(sel!, pt, view.current) : null);
      if (edge) {
        const next = updateInstance(doc, sel!.key, (i) => insertVertex(i, edge.part, edge.index, edge.point.x, edge.point.y));
        p.store.dispatch({ type: 'preview', doc: next });
        p.onSelect({ key: sel!.key, vertex: { part: edge.part, index: edge.index + 1 } });
        drag.current = { kind: 'vertex', key: sel!.key, part: edge.part, index: edge.index + 1, before: doc };
        return;
      }
    }
    if (p.mode === 'draw') {
      p.onDraft([at.x, at.y]);
      return;
    }
    const hit = hitRegion(doc.instances, pt, editable);
    if (hit) {
      p.onSelect({ key: hit.key, vertex: null });
      drag.current = { kind: 'move', key: hit.key, start: pt, before: doc, original: hit };
    } else p.onSelect({ key: null, vertex: null });
  };

  useEffect(() => {
    const onMove = (e: MouseEvent) => {
      const d = drag.current;
      const p = latest.current;
      if (!d) {
        if (p.draft && wrap.current?.contains(e.target as Node)) {
          cursor.current = clampPoint(imagePoint(e));
          requestDraw();
        }
        return;
      }
      if (d.kind === 'pan') {
        const v = panBy(view.current, e.clientX - d.last.x, e.clientY - d.last.y);
        d.last = { x: e.clientX, y: e.clientY };
        setView(v);
        return;
      }
      const doc = p.store.get().present;
      if (d.kind === 'vertex') {
        const at = clampPoint(imagePoint(e));
        p.store.dispatch({ type: 'preview', doc: updateInstance(doc, d.key, (i) => moveVertex(i, d.part, d.index, at.x, at.y)) });
      } else {
        const pt = imagePoint(e);
        const moved = translate(d.original, pt.x - d.start.x, pt.y - d.start.y, p.width, p.height);
        p.store.dispatch({ type: 'preview', doc: updateInstance(doc, d.key, () => moved) });
      }
    };
    const onUp = () => {
      const d = drag.current;
      drag.current = null;
      if (!d || d.kind === 'pan') return;
      const { store } = latest.current;
      const now = store.get().present;
      if (now !== d.before) store.dispatch({ type: 'commit', doc: now, before: d.before });
    };
    window.addEventListener('mousemove', onMove);
    window.addEventListener('mouseup', onUp);
    return () => {
      window.removeEventListener('mousemove', onMove);
      window.removeEventListener('mouseup', onUp);
    };
  }, []);

  const onHover = (e: React.MouseEvent) => {
    if (drag.current || space.current) return;
    const p = latest.current;
    const pt = imagePoint(e);
    const sel = p.doc.instances.find((i) => i.key === p.selection.key);
    let cur = p.mode === 'draw' ? 'crosshair' : 'default';
    if (editable(sel) && !p.draft) {
      if (hitVertex(sel!, pt, view.current) || hitMidpoint(sel!, pt, view.current)) cur = 'pointer';
      else if (p.mode === 'select' && pointInInstance(sel!, pt)) cur = 'move';
    }
    canvas.current!.style.cursor = cur;
  };

  return (
    <div ref={wrap} onMouseDown={onMouseDown} onMouseMove={onHover} onContextMenu={(e) => e.preventDefault()} onAuxClick={(e) => e.preventDefault()} className="relative h-[70vh] min-h-[420px] w-full overflow-hidden rounded-lg border border-slate-300 bg-slate-800">
      <img
        ref={img}
        src={props.imageUrl}
        alt={props.alt}
        draggable={false}
        onLoad={requestDraw}
        className="pointer-events-none absolute left-0 top-0 select-none"
        style={{ width: props.width, height: props.height, maxWidth: 'none', transformOrigin: '0 0', willChange: 'transform', filter: `brightness(${props.brightness}) contrast(${props.contrast})`, imageRendering: view.current.scale > 3 ? 'pixelated' : 'auto' }}
      />
      <canvas
        ref={canvas}
        tabIndex={0}
        aria-label="Annotation canvas"
        data-mode={props.mode}
        data-drawing={props.draft ? 'true' : 'false'}
        className="absolute inset-0 h-full w-full outline-none focus-visible:ring-2 focus-visible:ring-indigo-400"
        style={{ transformOrigin: '0 0', willChange: 'transform' }}
      />
    </div>
  );
}
