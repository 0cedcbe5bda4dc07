// Entry point of `segmenta-model` (bin/segmenta-model.mjs loads this through tsx).
import { processIO } from './errors';
import { runCli } from './run';
import { shutdownWasmBackend } from '../backend/wasm-threads';

process.exitCode = await runCli(process.argv.slice(2), processIO);
// The threaded wasm build's pthreads would keep the process alive.
await shutdownWasmBackend();
