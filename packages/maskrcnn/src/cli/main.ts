// Entry point of `segmenta-model` (bin/segmenta-model.mjs loads this through tsx).
import { processIO } from './errors.js';
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), processIO);
