/**
 * npm run bench:apply [-- --app <dir> ...] [-- --runs N] — dry run of every codemod over a generated app of
 * ≥ 3 000 files (BENCH_APPLY_FILES sets the count; 0 skips it), and over real apps given with --app (a public repo
 * you fetched, dependencies installed), each compared with a plain full ts-morph parse of the same tree and one
 * ast-grep pattern search.
 * Each of the three runs as its own process, measured by /usr/bin/time: wall, CPU (user + system) and the peak RSS
 * of that process alone. (Measured inside one long-lived process, a peak carries over from whatever ran before it:
 * apply on a real app then "peaked" at the size the generated tree's full parse had left behind.) apply is the
 * compiled CLI a user runs (`node bin/genie-fix.js apply <dir> --json`), start-up included. With --runs N each
 * figure is the median of N runs. On a shared machine CPU time is the steadier figure.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { listSources } from '../src/apply/files.ts';
import type { ApplyResult } from '../src/apply/index.ts';
import { generateTree } from './apply-tree.ts';

const FILES = Number(process.env.BENCH_APPLY_FILES ?? 3000);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** Units: seconds, seconds, megabytes. */
interface Timing {
  wallS: number;
  cpuS: number;
  peakRssMb: number;
}

/** Runs a command under /usr/bin/time; its own figures, and its stdout. */
function measure(cmd: string, args: string[]): Timing & { stdout: string; status: number | null; stderr: string } {
  const run = spawnSync('/usr/bin/time', ['-f', 'GENIE_TIME %e %U %S %M', cmd, ...args], { cwd: repo, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const line = run.stderr.split('\n').find((l) => l.startsWith('GENIE_TIME ')) ?? '';
  const [wall, user, sys, kb] = line.split(' ').slice(1).map(Number);
  return { wallS: wall ?? NaN, cpuS: (user ?? NaN) + (sys ?? NaN), peakRssMb: (kb ?? NaN) / 1024, stdout: run.stdout, status: run.status, stderr: run.stderr };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function medianOf(runs: Timing[]): Timing {
  return { wallS: median(runs.map((r) => r.wallS)), cpuS: median(runs.map((r) => r.cpuS)), peakRssMb: median(runs.map((r) => r.peakRssMb)) };
}
const fmt = (t: Timing) => `${t.wallS.toFixed(2)} s wall, ${t.cpuS.toFixed(2)} s CPU, peak RSS ${Math.round(t.peakRssMb)} MB`;
const ratio = (a: Timing, b: Timing) => `${(a.wallS / b.wallS).toFixed(2)}× wall, ${(a.cpuS / b.cpuS).toFixed(2)}× CPU, ${(a.peakRssMb / b.peakRssMb).toFixed(2)}× RSS`;

// The baseline: ts-morph parsing every source apply lists, in a fresh process of its own (ts-morph loaded in it).
const FULL_PARSE = `
import path from 'node:path';
import { Project } from 'ts-morph';
import { listSources } from ${JSON.stringify(path.join(repo, 'dist/src/apply/files.js'))};
const root = process.argv[1];
const project = new Project({ compilerOptions: { allowJs: false }, skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
for (const rel of listSources(root)) project.addSourceFileAtPath(path.join(root, rel)).getStatements();
`;

function bench(root: string, label: string, runs: number): void {
  console.log(`\n${label}: ${listSources(root).length} .ts/.tsx files; median of ${runs} run(s), each its own process`);
  const applyRuns: Timing[] = [];
  let result: ApplyResult | undefined;
  for (let i = 0; i < runs; i++) {
    const r = measure(process.execPath, [path.join(repo, 'bin/genie-fix.js'), 'apply', root, '--json']);
    if (r.status !== 0 && r.status !== 1) throw new Error(`apply exited ${r.status}: ${r.stderr.split('\n').slice(-5).join(' ')}`);
    result = JSON.parse(r.stdout) as ApplyResult;
    applyRuns.push(r);
  }
  const apply = medianOf(applyRuns);
  const parsedAtMost = Math.max(...result!.codemods.map((c) => c.filesScanned));
  console.log(`  apply dry run (CLI): ${fmt(apply)}; ${result!.files.length} files would change (largest per-codemod parse set ${parsedAtMost} files)`);
  for (const c of result!.codemods) console.log(`    ${c.id.padEnd(16)} ${c.status.padEnd(9)} scanned ${c.filesScanned}, changed ${c.changedFiles.length}, needs a human ${c.candidates.length}`);

  const parse = medianOf(Array.from({ length: runs }, () => measure(process.execPath, ['--input-type=module', '-e', FULL_PARSE, root])));
  console.log(`  plain ts-morph parse of every file: ${fmt(parse)}; apply / full parse: ${ratio(apply, parse)}`);

  const sg = path.join(repo, 'node_modules/.bin/ast-grep');
  if (!fs.existsSync(sg)) {
    console.log('  ast-grep: skipped (@ast-grep/cli is not installed)');
    return;
  }
  const grep = medianOf(Array.from({ length: runs }, () => measure(sg, ['run', '--pattern', '$B = $B.substring($$$)', '--lang', 'ts', root])));
  console.log(`  ast-grep pattern search: ${fmt(grep)}; apply / ast-grep: ${ratio(apply, grep)}`);
}

const apps: string[] = [];
let runs = 1;
for (let i = 2; i < process.argv.length; i++) {
  if (process.argv[i] === '--app' && process.argv[i + 1]) apps.push(path.resolve(process.argv[++i]!));
  else if (process.argv[i] === '--runs' && process.argv[i + 1]) runs = Math.max(1, Math.floor(Number(process.argv[++i])) || 1);
}

// apply runs as the compiled CLI: build dist/ first (a no-op when it is newer than every source).
const build = spawnSync(process.execPath, [path.join(repo, 'scripts/build.mjs')], { cwd: repo, stdio: 'inherit' });
if (build.status !== 0) throw new Error('npm run build failed');

fs.mkdirSync(path.join(repo, '.genie-lab'), { recursive: true });
const generated = fs.mkdtempSync(path.join(repo, '.genie-lab', 'bench-apply-'));
try {
  // BENCH_APPLY_FILES=0 measures only the --app trees.
  if (FILES > 0) bench(generated, `generated tree (${generateTree(generated, FILES)} files)`, runs);
  for (const app of apps) bench(app, app, runs);
} finally {
  fs.rmSync(generated, { recursive: true, force: true });
}
