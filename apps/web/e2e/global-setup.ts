import type { TestProject } from 'vitest/node';
import { loadServerEnv } from '@segmenta/contracts';
import { freePort, startWeb, startWorker, waitForHttp, type Proc } from './servers';

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}

/** One web server and one worker for the whole web suite, on the test database and queue prefix. */
export default async function setup(project: TestProject) {
  const env = loadServerEnv();
  if (!/_test$/.test(new URL(env.DATABASE_URL).pathname)) throw new Error('refusing to run against a non-test database: run the tests through `npm test`');
  const port = await freePort();
  // Web first: it refuses at once when the app is not built, before a worker is left running.
  const web = startWeb(port);
  const procs: Proc[] = [startWorker(), web];
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    // Healthy means: database, Redis and a live worker.
    await waitForHttp(`${baseUrl}/api/health`, procs[1]!);
  } catch (err) {
    await Promise.all(procs.map((p) => p.stop()));
    throw new Error(`${(err as Error).message}\n--- worker ---\n${procs[0]!.output()}`, { cause: err });
  }
  project.provide('baseUrl', baseUrl);
  return async () => {
    await Promise.all(procs.map((p) => p.stop()));
  };
}
