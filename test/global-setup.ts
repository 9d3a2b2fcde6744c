/**
 * Tests run the CLI as users do, through bin/genie-fix.js, which runs the compiled dist/. Several people
 * edit src/ at once: build before every test run (skipped in well under a second when dist/ is already
 * newer than every source), so no test silently runs yesterday's code.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export default function buildBeforeTests(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status ?? r.signal}): the tests run the compiled CLI in dist/`);
}
