// Entry point of `segmenta-model` (bin/segmenta-model.mjs loads this through tsx).
import { processIO } from './errors';
import { runCli } from './run';

process.exitCode = await runCli(process.argv.slice(2), processIO);
