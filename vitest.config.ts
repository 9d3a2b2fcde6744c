import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'scenarios/**/*.test.ts', 'codemods/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/__testfixtures__/**', 'examples/**', '.genie-lab/**'],
    // Type tests (`*.test-d.ts`, expectTypeOf) run with every `vitest run`, so a wrong one fails the suite;
    // the rest of the code is type-checked by `npm run typecheck` (.ci/run runs both).
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.typetests.json' },
    // Tests run the CLI as users do (bin → compiled dist/): build first, so none runs stale code.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // End-to-end files start Next.js and PostgreSQL; two cores cannot run several at once.
    fileParallelism: false,
  },
});
