import { needBytes, WeightsFormatError } from './errors';

/**
 * Restricted unpickler for the opcodes torch.save emits (protocols 2–5). It never imports anything:
 * globals are resolved by the caller's allow list and every other global, and every opcode that could
 * build arbitrary objects (INST, OBJ, NEWOBJ, EXT*), is refused with its name and byte offset.
 */

/** A Python dict (also OrderedDict); `state` keeps what a BUILD opcode attached (e.g. state_dict `_metadata`). */
export class PyDict extends Map<unknown, unknown> {
  state: unknown = undefined;
}

/** A global the allow list accepted; `call` is present when REDUCE may call it. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly call?: (args: readonly unknown[], at: string) => unknown,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

export interface UnpickleOptions {
  resolveGlobal: (module: string, name: string, at: string) => PyGlobal;
  persistentLoad?: (pid: unknown, at: string) => unknown;
  /** Describes the byte stream in messages, e.g. "archive/data.pkl". */
  source?: string;
}

const MARK = Symbol('mark');

// names of refused opcodes, so the error says what the file tried to do
const REFUSED: Record<number, string> = {
  0x69: 'INST', 0x6f: 'OBJ', 0x81: 'NEWOBJ', 0x92: 'NEWOBJ_EX', 0x50: 'PERSID', 0x82: 'EXT1', 0x83: 'EXT2',
  0x84: 'EXT4', 0x49: 'INT', 0x4c: 'LONG', 0x53: 'STRING', 0x56: 'UNICODE', 0x46: 'FLOAT', 0x70: 'PUT',
  0x67: 'GET', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER', 0x90: 'EMPTY_SET', 0x91: 'FROZENSET', 0x8f: 'ADDITEMS',
};

export function unpickle(bytes: Uint8Array, start: number, opts: UnpickleOptions): { value: unknown; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const src = opts.source ? ` of ${opts.source}` : '';
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let p = start;
  let at = '';

  const need = (n: number): void => needBytes(bytes.length, p, n, `pickle data at byte ${p}${src}`);
  const u8 = (): number => { need(1); return bytes[p++]!; };
  const u16 = (): number => { need(2); const v = view.getUint16(p, true); p += 2; return v; };
  const u32 = (): number => { need(4); const v = view.getUint32(p, true); p += 4; return v; };
  const u64 = (): number => { need(8); const v = Number(view.getBigUint64(p, true)); p += 8; return v; };
  const raw = (n: number): Uint8Array => { need(n); const v = bytes.subarray(p, p + n); p += n; return v; };
  const text = (n: number): string => new TextDecoder().decode(raw(n));
  const fail = (msg: string): never => { throw new WeightsFormatError(`pickle: ${msg} ${at}`); };
  const pop = (): unknown => (stack.length ? stack.pop() : fail('stack underflow'));
  const top = (): unknown => (stack.length ? stack[stack.length - 1] : fail('stack underflow'));
  const popMark = (): unknown[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail('MARK expected');
    const items = stack.splice(i);
    items.shift();
    return items;
  };
  const tuple = (items: unknown[]): readonly unknown[] => Object.freeze(items);
  const list = (v: unknown): unknown[] =>
    Array.isArray(v) && !Object.isFrozen(v) ? v : fail('APPEND target is not a list');
  const dict = (v: unknown): PyDict => (v instanceof PyDict ? v : fail('SETITEM target is not a dict'));
  const setItems = (d: PyDict, items: unknown[]): void => {
    if (items.length % 2) fail('odd number of items for SETITEMS');
    for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
  };
  const signedLong = (b: Uint8Array): number | bigint => {
    let v = 0n;
    for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (b.length && b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const global = (module: string, name: string): PyGlobal => opts.resolveGlobal(module, name, at);

  for (;;) {
    at = `at byte ${p}${src}`;
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME: framing is only a read-ahead hint
      case 0x2e: return { value: pop(), end: p }; // STOP
      case 0x28: stack.push(MARK); break;
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4a: need(4); stack.push(view.getInt32(p, true)); p += 4; break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: stack.push(signedLong(raw(u8()))); break; // LONG1
      case 0x8b: stack.push(signedLong(raw(u32()))); break; // LONG4
      case 0x47: need(8); stack.push(view.getFloat64(p, false)); p += 8; break; // BINFLOAT (big-endian)
      case 0x58: stack.push(text(u32())); break; // BINUNICODE
      case 0x8c: stack.push(text(u8())); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(text(u64())); break; // BINUNICODE8
      case 0x54: stack.push(text(u32())); break; // BINSTRING (py2 str, read as text)
      case 0x55: stack.push(text(u8())); break; // SHORT_BINSTRING
      case 0x42: stack.push(raw(u32()).slice()); break; // BINBYTES
      case 0x43: stack.push(raw(u8()).slice()); break; // SHORT_BINBYTES
      case 0x8e: stack.push(raw(u64()).slice()); break; // BINBYTES8
      case 0x96: stack.push(raw(u64()).slice()); break; // BYTEARRAY8
      case 0x29: stack.push(tuple([])); break; // EMPTY_TUPLE
      case 0x74: stack.push(tuple(popMark())); break; // TUPLE
      case 0x85: stack.push(tuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push(tuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(tuple([a, b, c])); break; } // TUPLE3
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x61: { const v = pop(); list(top()).push(v); break; } // APPEND
      case 0x65: { const items = popMark(); list(top()).push(...items); break; } // APPENDS
      case 0x7d: stack.push(new PyDict()); break; // EMPTY_DICT
      case 0x64: { const d = new PyDict(); setItems(d, popMark()); stack.push(d); break; } // DICT
      case 0x73: { const v = pop(); const k = pop(); dict(top()).set(k, v); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(dict(top()), items); break; } // SETITEMS
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const k = op === 0x68 ? u8() : u32();
        if (!memo.has(k)) fail(`memo key ${k} was never stored`);
        stack.push(memo.get(k));
        break;
      }
      case 0x63: { // GLOBAL "module\nname\n"
        const end1 = bytes.indexOf(0x0a, p);
        const end2 = end1 < 0 ? -1 : bytes.indexOf(0x0a, end1 + 1);
        if (end2 < 0) needBytes(bytes.length, bytes.length, 1, `pickle GLOBAL ${at}`);
        const module = text(end1 - p); p++;
        const name = text(end2 - p); p++;
        stack.push(global(module, name));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop(); const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(global(module as string, name as string));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop(); const fn = pop();
        if (!(fn instanceof PyGlobal) || !fn.call) {
          fail(`refused call of ${fn instanceof PyGlobal ? `'${fn.qualified}'` : 'a non-callable'}`);
        }
        if (!Array.isArray(args)) fail('REDUCE arguments are not a tuple');
        stack.push((fn as PyGlobal).call!(args as unknown[], at));
        break;
      }
      case 0x62: { // BUILD: only dict state (OrderedDict._metadata) is accepted
        const state = pop();
        const target = top();
        if (!(target instanceof PyDict)) fail('refused BUILD on an object that is not a dict');
        (target as PyDict).state = state;
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!opts.persistentLoad) fail('persistent id found but this stream allows none');
        stack.push(opts.persistentLoad!(pid, at));
        break;
      }
      default: {
        const name = REFUSED[op];
        fail(`refused opcode 0x${op.toString(16).padStart(2, '0')}${name ? ` (${name})` : ''}`);
      }
    }
  }
}
