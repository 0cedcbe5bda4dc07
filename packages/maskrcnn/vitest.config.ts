import { packageTestConfig } from '../../vitest.shared.ts';

// Model tests run real tensors on the wasm/cpu backends: generous timeouts, one file at a time so two
// wasm instances do not fight over the machine's two cores.
export default packageTestConfig('maskrcnn', {
  testTimeout: 180_000,
  hookTimeout: 180_000,
  pool: 'forks',
  maxWorkers: 1,
});
