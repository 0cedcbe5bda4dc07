// Small parsing helpers on top of node:util parseArgs that turn every mistake into a UsageError.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { machineThreads, type BackendPreference } from '../select-backend';
import { UsageError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function required(v: string | undefined, flag: string): string {
  if (v === undefined || v === '') throw new UsageError(`${flag} is required`);
  return v;
}

export function number(v: string | undefined, flag: string, check: (n: number) => boolean, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`${flag} must be ${what}, got "${v}"`);
  return n;
}

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

export function backend(v: string | undefined): BackendPreference {
  if (v === undefined) return 'auto';
  if (!(BACKENDS as readonly string[]).includes(v)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got "${v}"`);
  return v as BackendPreference;
}

/** `--threads`: wasm XNNPACK threads (tfjs allows at most 8); one per core unless asked, as the worker. */
export function threads(v: string | undefined): number {
  return number(v, '--threads', (n) => Number.isInteger(n) && n >= 1 && n <= 8, 'an integer from 1 to 8') ?? machineThreads();
}

export function classList(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const names = v.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new UsageError(`--classes must be a comma-separated list of non-empty names, got "${v}"`);
  return names;
}
