import path from 'node:path';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * Every package's vitest config starts here: tests in test/**, and a JSON report per package under
 * .test-results/ that `npm test` adds up into its closing "N passed, N failed" line.
 */
export function packageTestConfig(name: string, test: NonNullable<ViteUserConfig['test']> = {}): ViteUserConfig {
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      reporters: ['default', 'json'],
      outputFile: { json: path.join(import.meta.dirname, '.test-results', `${name}.json`) },
      ...test,
    },
  });
}
