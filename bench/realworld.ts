/**
 * npm run bench:realworld -- --clones <dir> [--only <name...>] [--out <dir>] [--keep] [--no-install]
 *
 * The real-world check of issue 10: runs `genie-fix apply --write` on public Next.js apps pinned in
 * bench/realworld.json and measures what it did to them. Per app: a throwaway git copy of the clone (its
 * dependencies installed once in the clone and linked), tsc before, apply --write, tsc after (new errors only),
 * the files that must stay byte-identical, a second apply --write that must change nothing, and the expected
 * sites (recall) and edits on them (precision). Clones are brought in with the search tool's `fetch` and laid
 * out as <clones>/<name>@<short commit>; nothing of them is ever copied into this repo. Not part of `npm test`:
 * it needs the clones and their installed dependencies.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadApps, type RealworldApp } from './realworld/data.ts';
import { formatTable, score, type ApplyJson, type Row } from './realworld/score.ts';
import { cachedBefore, newErrors, total, typecheck } from './realworld/typecheck.ts';
import { ensureInstalled, findClone, linkAddedDependencies, makeCopy, shortCommit } from './realworld/workspace.ts';

const toolRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

function usage(message: string): never {
  process.stderr.write(`bench:realworld: ${message}\nusage: npm run bench:realworld -- --clones <dir> [--only <name...>] [--out <dir>] [--keep] [--no-install]\n`);
  process.exit(2);
}

function runApply(appDir: string, extra: string[]): { json: ApplyJson; exit: number | null; stderr: string } {
  const run = spawnSync('nice', ['-n', '10', process.execPath, path.join(toolRoot, 'bin/genie-fix.js'), 'apply', appDir, '--write', '--json', ...extra], {
    cwd: toolRoot,
    encoding: 'utf8',
    timeout: 60 * 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  try {
    return { json: JSON.parse(run.stdout) as ApplyJson, exit: run.status, stderr: run.stderr };
  } catch {
    throw new Error(`apply on ${appDir} exited ${run.status} without JSON: ${(run.stderr || run.stdout).trim().split('\n').slice(-3).join(' / ')}`);
  }
}

function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

interface AppOutcome {
  rows: Row[];
  problems: string[];
}

function benchApp(app: RealworldApp, clone: string, out: string, tscCache: string, keep: boolean): AppOutcome {
  const copy = makeCopy(clone, app);
  const appOut = path.join(out, app.name);
  fs.mkdirSync(appOut, { recursive: true });
  try {
    const before = cachedBefore(tscCache, `${app.name}@${shortCommit(app)}`, copy.app);
    log(`${app.name}: tsc before: ${total(before.counts)} error(s)${before.cached ? ' (cached)' : ''}; apply --write`);

    const first = runApply(copy.app, app.applyArgs);
    fs.writeFileSync(path.join(appOut, 'apply-1.json'), JSON.stringify(first.json, null, 1));
    fs.writeFileSync(path.join(appOut, 'apply-1.stderr.txt'), first.stderr);
    const missing = linkAddedDependencies(copy, first.json.dependenciesAdded, toolRoot);
    const trapsTouched = app.untouched
      .filter(({ file, keep }) => {
        const a = path.join(clone, app.appDir, file);
        const b = path.join(copy.app, file);
        if (!fs.existsSync(a)) throw new Error(`${app.name}: untouched file ${file} does not exist in the clone (fix bench/realworld.json)`);
        if (!fs.existsSync(b)) return true;
        if (keep) return keep.some((snippet) => !fs.readFileSync(b, 'utf8').includes(snippet));
        return !fs.readFileSync(a).equals(fs.readFileSync(b));
      })
      .map((u) => u.file);
    const changedOnDisk = copy.changedSinceCommit();
    copy.commitAll('apply 1');
    fs.writeFileSync(path.join(appOut, 'apply-1.diff'), copy.diff());

    const after = changedOnDisk.length ? typecheck(copy.app) : before.counts;
    const fresh = newErrors(before.counts, after);
    fs.writeFileSync(path.join(appOut, 'new-type-errors.txt'), fresh.join('\n') + (fresh.length ? '\n' : ''));
    log(`${app.name}: ${changedOnDisk.length} file(s) written, exit ${first.exit}; tsc after: ${total(after)} error(s), ${fresh.length} new; apply again`);

    const second = runApply(copy.app, app.applyArgs);
    fs.writeFileSync(path.join(appOut, 'apply-2.json'), JSON.stringify(second.json, null, 1));
    const secondChanged = copy.changedSinceCommit();

    const problems: string[] = [];
    if (missing.length) problems.push(`added dependencies not installed in genie-fix to link: ${missing.join(', ')}`);
    if (first.exit !== 0 && first.exit !== 1) problems.push(`apply exited ${first.exit}`);
    for (const c of first.json.codemods) for (const f of c.failures) problems.push(`${c.id} FAILED ${f.file}: ${f.message}`);
    for (const e of fresh.slice(0, 5)) problems.push(`new type error: ${e}`);
    if (fresh.length > 5) problems.push(`… ${fresh.length - 5} more new type errors in ${path.join(appOut, 'new-type-errors.txt')}`);
    const proof = first.json.proof;
    if (proof && !proof.checked) problems.push(`apply wrote unchecked edits: ${proof.reason ?? 'no reason given'}`);
    if (proof?.checked && fresh.length > 0) problems.push(`apply proved its edits (TypeScript ${proof.typescript ?? '?'}), yet tsc finds ${fresh.length} new error(s)`);
    return { rows: score(app, { first: first.json, second: second.json, secondChanged, newErrors: fresh, trapsTouched }), problems };
  } finally {
    if (keep) log(`${app.name}: copy kept at ${copy.root}`);
    else copy.remove();
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      clones: { type: 'string' },
      only: { type: 'string', multiple: true },
      out: { type: 'string' },
      data: { type: 'string', default: path.join(toolRoot, 'bench/realworld.json') },
      keep: { type: 'boolean', default: false },
      'no-install': { type: 'boolean', default: false },
    },
    // `--only a b` reads like the CLI's own --only <ids...>: the names after it arrive as positionals.
    allowPositionals: true,
  });
  const only = [...(values.only ?? []).flatMap((o) => o.split(',')), ...positionals];
  if (!values.clones) usage('--clones <dir> is required (a folder of clones named <name>@<short commit>)');
  const clones = path.resolve(values.clones);
  if (!fs.existsSync(clones)) usage(`--clones ${clones} does not exist`);
  const out = path.resolve(values.out ?? path.join(clones, '.bench-out'));
  const apps = loadApps(values.data).filter((a) => !only.length || only.includes(a.name));
  if (!apps.length) usage(`--only matched no app in ${values.data}`);

  const rows: Row[] = [];
  const notes: string[] = [];
  for (const app of apps) {
    const clone = findClone(clones, app);
    if (!clone) {
      notes.push(`${app.name}: skipped, no clone at ${path.join(clones, `${app.name}@${shortCommit(app)}`)} (fetch github:${app.repo}, then git archive ${shortCommit(app)})`);
      continue;
    }
    if (!values['no-install']) {
      log(`${app.name}: dependencies`);
      const installed = ensureInstalled(clone, app, out);
      if (!installed.ok) {
        notes.push(`${app.name}: skipped, ${installed.detail}`);
        continue;
      }
    }
    try {
      // The before-errors belong to the clone, not to a run: cached beside the clones, shared by every --out.
      const outcome = benchApp(app, clone, out, path.join(clones, '.tsc-cache'), values.keep);
      rows.push(...outcome.rows);
      for (const p of outcome.problems) notes.push(`${app.name}: ${p}`);
    } catch (err) {
      notes.push(`${app.name}: error: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const summary = [
    formatTable(rows),
    '',
    'recall = expected sites handled / expected sites; precision = edits at expected fix sites / edits.',
    `per-app outputs (diffs, apply JSON, new type errors): ${out}`,
    ...notes.map((n) => `note: ${n}`),
  ].join('\n');
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'table.md'), summary + '\n');
  fs.writeFileSync(path.join(out, 'rows.json'), JSON.stringify(rows, null, 1));
  process.stdout.write(summary + '\n');
  const bad = rows.some((r) => r.codemod === '(all)' && (r.newTypeErrors > 0 || r.trapsTouched.length > 0 || !r.idempotent));
  process.exitCode = bad || notes.some((n) => n.includes('error:')) ? 1 : 0;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:realworld: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
