// Undo/redo over immutable documents. A drag previews its changes without touching the history and
// commits once at the end with the document from before it started, so one drag is one undo step.
import type { Doc } from './model';

export interface History {
  past: Doc[];
  present: Doc;
  future: Doc[];
}

export type HistoryAction =
  | { type: 'commit'; doc: Doc; before?: Doc }
  | { type: 'preview'; doc: Doc }
  | { type: 'undo' }
  | { type: 'redo' }
  /** Server-side facts (ids, clamped points) folded into the present; not an undo step. */
  | { type: 'replace'; doc: Doc }
  | { type: 'reset'; doc: Doc };

export const HISTORY_LIMIT = 300;

export const initialHistory = (doc: Doc): History => ({ past: [], present: doc, future: [] });

export function historyReducer(h: History, a: HistoryAction): History {
  switch (a.type) {
    case 'commit': {
      const before = a.before ?? h.present;
      if (before === a.doc) return h;
      return { past: [...h.past, before].slice(-HISTORY_LIMIT), present: a.doc, future: [] };
    }
    case 'preview':
    case 'replace':
      return { ...h, present: a.doc };
    case 'undo':
      if (h.past.length === 0) return h;
      return { past: h.past.slice(0, -1), present: h.past[h.past.length - 1]!, future: [h.present, ...h.future] };
    case 'redo':
      if (h.future.length === 0) return h;
      return { past: [...h.past, h.present], present: h.future[0]!, future: h.future.slice(1) };
    case 'reset':
      return initialHistory(a.doc);
  }
}

/** A tiny external store so async callbacks (autosave, conflict handling) always see the latest document. */
export class HistoryStore {
  private state: History;
  private listeners = new Set<() => void>();
  constructor(doc: Doc) {
    this.state = initialHistory(doc);
  }
  get = () => this.state;
  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  };
  dispatch = (a: HistoryAction) => {
    const next = historyReducer(this.state, a);
    if (next === this.state) return;
    this.state = next;
    this.listeners.forEach((l) => l());
  };
}
