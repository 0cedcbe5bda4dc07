// Command dispatch and the mapping of failures to exit codes: 2 for usage, 1 for everything else.
import { importCommand, IMPORT_HELP } from './import-cmd';
import { predictCommand, PREDICT_HELP } from './predict-cmd';
import { evalCommand, EVAL_HELP } from './eval-cmd';
import { synthCommand, SYNTH_HELP } from './synth-cmd';
import { trainCommand, TRAIN_HELP } from './train-cmd';
import { UsageError, type CliIO } from './errors';

export const HELP = `Usage: segmenta-model <command> [options]

Commands:
  import    convert a torchvision Mask R-CNN state dict into a Segmenta model directory
  predict   run a model directory on an image; COCO results JSON and an optional overlay PNG
  train     train on COCO data; one JSON line per epoch, checkpoints per epoch and the best
  eval      COCO bbox/segm metrics of a model directory on a COCO file
  synth     generate a shapes dataset (images + COCO files) for tests and benchmarks

Run "segmenta-model <command> --help" for a command's options.
`;

const COMMANDS: Record<string, { run: (argv: string[], io: CliIO) => Promise<number>; help: string }> = {
  import: { run: importCommand, help: IMPORT_HELP },
  predict: { run: predictCommand, help: PREDICT_HELP },
  train: { run: trainCommand, help: TRAIN_HELP },
  eval: { run: evalCommand, help: EVAL_HELP },
  synth: { run: synthCommand, help: SYNTH_HELP },
};

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io[name === undefined ? 'stderr' : 'stdout'](HELP);
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.stderr(`error: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`error: ${err.message}\n\n${cmd.help}`);
      return 2;
    }
    const e = err as Error;
    io.stderr(`error: ${e?.message ?? String(err)}\n`);
    if (process.env['SEGMENTA_DEBUG']) io.stderr(`${e?.stack ?? ''}\n`);
    return 1;
  }
}
