#!/usr/bin/env node
// Builds dist/ (the CLI as JavaScript) from src/, scenarios/ and codemods/: tsc emits, then the data files the
// modules read beside themselves are copied. Skipped when dist/ is newer than every input, so the test run can
// call it every time (test/global-setup.ts). `--force` rebuilds regardless.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.built');
const inputs = ['src', 'scenarios', 'codemods'];
/** Files read at run time relative to the module that reads them (new URL('./…', import.meta.url)). */
const assets = /\.(json|cjs)$/;
const skipDirs = new Set(['__testfixtures__', 'node_modules', '.next']);

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skipDirs.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

function newestInput() {
  let newest = 0;
  for (const file of ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'scripts/build.mjs']) newest = Math.max(newest, statSync(path.join(root, file)).mtimeMs);
  for (const dir of inputs) for (const file of walk(path.join(root, dir))) newest = Math.max(newest, statSync(file).mtimeMs);
  return newest;
}

const force = process.argv.includes('--force');
if (!force && existsSync(stamp) && statSync(stamp).mtimeMs >= newestInput()) process.exit(0);

const started = Date.now();
// tsc's incremental state only knows what it emitted, not what was deleted since: start over when forced
// or when the entry point is gone.
if (force || !existsSync(path.join(dist, 'src', 'cli.js'))) rmSync(path.join(dist, '.tsbuildinfo'), { force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
// --noCheck: emit only (TypeScript ≥ 5.6); a type error must not keep the CLI from being built.
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--noCheck'], { cwd: root, stdio: 'inherit' });
if (r.status !== 0) {
  console.error(`genie-fix build: tsc failed (exit ${r.status ?? r.signal}); dist/ may be incomplete`);
  process.exit(1);
}
for (const dir of inputs) {
  for (const file of walk(path.join(root, dir))) {
    if (!assets.test(file) || file.includes(`${path.sep}templates${path.sep}`)) continue;
    const to = path.join(dist, path.relative(root, file));
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(file, to);
  }
}
// A module deleted or moved in the sources must not live on in dist/ (the package would ship it).
for (const dir of inputs) {
  if (!existsSync(path.join(dist, dir))) continue;
  for (const file of walk(path.join(dist, dir))) {
    const source = path.join(root, path.relative(dist, file));
    const candidates = file.endsWith('.js') ? [source.replace(/\.js$/, '.ts'), source.replace(/\.js$/, '.tsx'), source] : [source];
    if (!candidates.some((c) => existsSync(c))) rmSync(file);
  }
}
writeFileSync(stamp, `${new Date(started).toISOString()}\n`);
// The stamp carries the start time: a source saved while tsc ran is newer, so the next call rebuilds.
utimesSync(stamp, started / 1000, started / 1000);
console.error(`genie-fix build: dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
