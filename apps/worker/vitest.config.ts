import { packageTestConfig } from '../../vitest.shared.ts';

export default packageTestConfig('worker', { testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false });
