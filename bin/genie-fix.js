#!/usr/bin/env node
// The CLI as compiled JavaScript (dist/, built by `npm run build`: `prepare` runs it on install, the test run
// before any test): no TypeScript compiler at start-up.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('genie-fix: dist/ is missing (the compiled CLI): run `npm run build` in the genie-fix folder (npm install runs it)\n');
  process.exit(70);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
