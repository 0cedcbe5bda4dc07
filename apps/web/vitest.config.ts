import { packageTestConfig } from '../../vitest.shared.ts';

// End-to-end: the built app behind `next start`, a real worker, PostgreSQL, Redis and Chromium.
export default packageTestConfig('web', {
  include: ['e2e/**/*.test.ts'],
  globalSetup: ['e2e/global-setup.ts'],
  setupFiles: ['e2e/setup-auth.ts'],
  testTimeout: 90_000,
  hookTimeout: 120_000,
  fileParallelism: false,
});
