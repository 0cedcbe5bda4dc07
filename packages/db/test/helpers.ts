import { loadServerEnv } from '@segmenta/contracts';

/** Tests write and delete rows: refuse to run against anything but a *_test database. */
export function testDatabaseUrl(): string {
  const url = loadServerEnv().DATABASE_URL;
  if (!/_test$/.test(new URL(url).pathname)) {
    throw new Error(`refusing to run tests against ${new URL(url).pathname.slice(1)}: run them through \`npm test\`, which sets DATABASE_URL to a *_test database`);
  }
  return url;
}
