/**
 * `tsc --noEmit` with the app's own TypeScript, errors normalised to `file: TSnnnn message` (no line or column:
 * an insertion shifts every line below it) and counted, so "new" means an error the copy did not have before,
 * or one more of the same. The before-run is cached per app and commit: it does not depend on genie-fix.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type ErrorCounts = Record<string, number>;

// Messages may print absolute paths of the copy (`import("/tmp/realworld-app-Ab12Cd/…")`, made by mkdtemp in
// workspace.ts), whose name differs per run: an error cached before and seen again after would count as new.
const COPY_PATH = new RegExp(`${path.join(os.tmpdir(), 'realworld-').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^/\\s"']*?-[A-Za-z0-9]{6}`, 'g');

function withoutCopyPath(text: string): string {
  return text.replace(COPY_PATH, '<copy>');
}

function findTsc(appDir: string): string | undefined {
  for (let dir = appDir; ; dir = path.dirname(dir)) {
    const tsc = path.join(dir, 'node_modules/typescript/bin/tsc');
    if (fs.existsSync(tsc)) return tsc;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function tscVersion(appDir: string): string | undefined {
  const tsc = findTsc(appDir);
  if (!tsc) return undefined;
  const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(tsc), '../package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function typecheck(appDir: string): ErrorCounts {
  const tsc = findTsc(appDir);
  if (!tsc) throw new Error(`no typescript installed for ${appDir}`);
  const run = spawnSync('nice', ['-n', '10', process.execPath, '--max-old-space-size=8192', tsc, '--noEmit', '--incremental', 'false', '--pretty', 'false', '-p', '.'], {
    cwd: appDir,
    encoding: 'utf8',
    timeout: 30 * 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (run.error) throw new Error(`tsc in ${appDir}: ${run.error.message}`);
  const counts: ErrorCounts = {};
  for (const raw of run.stdout.split('\n')) {
    const line = withoutCopyPath(raw.trim());
    const m = /^(.+?)\(\d+,\d+\): error (TS\d+): (.*)$/.exec(line);
    const key = m ? `${m[1]}: ${m[2]} ${m[3]}` : /^error TS\d+/.test(line) ? line : undefined;
    if (key) counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Errors after that were not there before (a repeated message counts once per extra occurrence). */
export function newErrors(before: ErrorCounts, after: ErrorCounts): string[] {
  const out: string[] = [];
  for (const [key, n] of Object.entries(after)) {
    for (let i = before[key] ?? 0; i < n; i++) out.push(key);
  }
  return out.sort();
}

export function total(counts: ErrorCounts): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** The before-run, from `<cacheDir>/<name>@<commit>.tsc-<version>.json` when present. */
export function cachedBefore(cacheDir: string, key: string, appDir: string): { counts: ErrorCounts; cached: boolean } {
  const file = path.join(cacheDir, `${key}.tsc-${tscVersion(appDir) ?? 'none'}.json`);
  if (fs.existsSync(file)) {
    const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as ErrorCounts;
    const counts: ErrorCounts = {};
    for (const [key, n] of Object.entries(cached)) counts[withoutCopyPath(key)] = (counts[withoutCopyPath(key)] ?? 0) + n;
    return { counts, cached: true };
  }
  const counts = typecheck(appDir);
  fs.mkdirSync(cacheDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(counts, null, 1));
  return { counts, cached: false };
}
