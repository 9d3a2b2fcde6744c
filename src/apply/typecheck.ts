import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

export interface TypecheckResult {
  ran: boolean;
  errors: string[];
  reason?: string;
}

/** The app's own TypeScript (nearest node_modules up from root), else the one genie-fix ships with. */
function findTsc(root: string): string | undefined {
  let dir = root;
  for (;;) {
    const candidate = path.join(dir, 'node_modules/typescript/bin/tsc');
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
}

/**
 * `tsc --noEmit -p root`; errors are normalised to `file: TSnnnn message` (no line numbers, which shift when a
 * codemod inserts lines) so before/after can be compared as sets.
 */
export function typecheck(root: string): TypecheckResult {
  if (!fs.existsSync(path.join(root, 'tsconfig.json'))) return { ran: false, errors: [], reason: 'no tsconfig.json' };
  const tsc = findTsc(root);
  if (!tsc) return { ran: false, errors: [], reason: 'typescript is not installed' };
  // --incremental false: a tsconfig with `incremental` would otherwise drop a .tsbuildinfo into the app.
  const run = spawnSync(process.execPath, [tsc, '--noEmit', '--incremental', 'false', '--pretty', 'false', '-p', root], {
    encoding: 'utf8',
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) return { ran: false, errors: [], reason: run.error.message };
  const errors = new Set<string>();
  for (const line of (run.stdout ?? '').split('\n')) {
    const m = /^(.+?)\(\d+,\d+\): error (TS\d+): (.*)$/.exec(line.trim());
    if (m) errors.add(`${m[1]}: ${m[2]} ${m[3]}`);
    else if (/^error TS\d+/.test(line.trim())) errors.add(line.trim());
  }
  return { ran: true, errors: [...errors].sort() };
}
