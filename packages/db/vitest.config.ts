import { packageTestConfig } from '../../vitest.shared.ts';

export default packageTestConfig('db', { testTimeout: 60_000, hookTimeout: 60_000, fileParallelism: false });
