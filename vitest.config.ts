import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'scenarios/**/*.test.ts', 'codemods/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/__testfixtures__/**', 'examples/**', '.genie-lab/**'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // End-to-end files start Next.js and PostgreSQL; two cores cannot run several at once.
    fileParallelism: false,
  },
});
