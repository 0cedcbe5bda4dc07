import { EnvError, loadServerEnv } from '@segmenta/contracts';

try {
  loadServerEnv();
} catch (err) {
  console.error(err instanceof EnvError ? err.message : err);
  process.exit(2);
}
