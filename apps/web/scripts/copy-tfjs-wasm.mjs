// Copies tfjs-backend-wasm's binaries into public/tfjs-wasm/ before `next build` (and `next dev`),
// so the editor's in-browser model loads them from this app: nothing may come from a CDN. They are
// taken from the very package the client bundle imports, so the .wasm files match its JavaScript.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const fromMaskrcnn = createRequire(createRequire(import.meta.url).resolve('@segmenta/maskrcnn'));
const dist = path.join(path.dirname(fromMaskrcnn.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
const out = path.join(here, '..', 'public', 'tfjs-wasm');
mkdirSync(out, { recursive: true });
const files = readdirSync(dist).filter((f) => f.endsWith('.wasm'));
if (files.length === 0) throw new Error(`no .wasm files in ${dist}`);
for (const f of files) copyFileSync(path.join(dist, f), path.join(out, f));
console.log(`copied ${files.join(', ')} to ${path.relative(process.cwd(), out) || '.'}`);
