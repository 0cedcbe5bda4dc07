import type { LabelClassDto } from '@segmenta/contracts';

/** Hotkeys 1–9, 0: a class's own hotkey wins, the remaining keys go to classes in their order. */
export function classHotkeys(classes: readonly LabelClassDto[]): Map<string, string> {
  const keys = new Map<string, string>();
  for (const c of classes) if (c.hotkey && /^[0-9]$/.test(c.hotkey)) keys.set(c.hotkey, c.id);
  const taken = new Set(keys.values());
  const free = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'].filter((k) => !keys.has(k));
  for (const c of classes) if (!taken.has(c.id) && free.length) keys.set(free.shift()!, c.id);
  return keys;
}
