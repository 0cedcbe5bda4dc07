/** Wrong or missing arguments: the CLI prints usage help and exits with status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const processIO: CliIO = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
};
