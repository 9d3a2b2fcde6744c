/**
 * npm run bench:apply [-- --app <dir> ...] — dry run of every codemod over a generated app of ≥ 3 000 files,
 * and over real apps given with --app (a public repo you fetched, dependencies installed), each compared with
 * a plain full ts-morph parse of the same tree and one ast-grep pattern search, measured in the same run.
 * Wall time and this process's CPU time are both printed: on a shared machine CPU time is the steadier figure.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Project } from 'ts-morph';
import { applyCodemods } from '../src/apply/index.ts';
import { listSources } from '../src/apply/files.ts';
import { generateTree } from './apply-tree.ts';

const FILES = Number(process.env.BENCH_APPLY_FILES ?? 3000);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

interface Timing {
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
}

/** Runs fn, sampling RSS every 50 ms (Units: milliseconds, megabytes). */
async function timed(fn: () => Promise<unknown> | unknown): Promise<Timing> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const cpu = process.cpuUsage();
  const t = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(sampler);
  }
  const used = process.cpuUsage(cpu);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { wallMs: performance.now() - t, cpuMs: (used.user + used.system) / 1000, peakRssMb: peak / 1024 / 1024 };
}

const fmt = (t: Timing) => `${(t.wallMs / 1000).toFixed(2)} s wall, ${(t.cpuMs / 1000).toFixed(2)} s CPU, peak RSS ${Math.round(t.peakRssMb)} MB`;

async function bench(root: string, label: string): Promise<void> {
  const sources = listSources(root).length;
  console.log(`\n${label}: ${sources} .ts/.tsx files`);
  let result: Awaited<ReturnType<typeof applyCodemods>> | undefined;
  const apply = await timed(async () => (result = await applyCodemods({ dir: root })));
  const scanned = Math.max(...result!.codemods.map((c) => c.filesScanned));
  console.log(`  apply dry run: ${fmt(apply)}; ${result!.files.length} files would change (largest per-codemod parse set ${scanned} files)`);
  for (const c of result!.codemods) console.log(`    ${c.id.padEnd(16)} ${c.status.padEnd(9)} scanned ${c.filesScanned}, changed ${c.changedFiles.length}, needs a human ${c.candidates.length}`);

  const parse = await timed(() => {
    const project = new Project({ compilerOptions: { allowJs: false }, skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
    for (const rel of listSources(root)) project.addSourceFileAtPath(path.join(root, rel)).getStatements();
  });
  console.log(`  plain ts-morph parse of every file: ${fmt(parse)}; ratio apply / full parse: ${(apply.cpuMs / parse.cpuMs).toFixed(2)} (CPU)`);

  const sg = path.join(repo, 'node_modules/.bin/ast-grep');
  if (!fs.existsSync(sg)) {
    console.log('  ast-grep: skipped (@ast-grep/cli is not installed)');
    return;
  }
  const t = performance.now();
  const run = spawnSync('/usr/bin/time', ['-f', '%U %S %M', sg, 'run', '--pattern', '$B = $B.substring($$$)', '--lang', 'ts', root], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - t;
  const [u, s, kb] = (run.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  const sgCpu = ((u ?? 0) + (s ?? 0)) * 1000;
  console.log(`  ast-grep pattern search: ${(wallMs / 1000).toFixed(2)} s wall, ${(sgCpu / 1000).toFixed(2)} s CPU, peak RSS ${Math.round((kb ?? 0) / 1024)} MB; ratio apply / ast-grep: ${(apply.cpuMs / Math.max(sgCpu, 1)).toFixed(1)} (CPU)`);
}

const apps: string[] = [];
for (let i = 2; i < process.argv.length; i++) if (process.argv[i] === '--app' && process.argv[i + 1]) apps.push(path.resolve(process.argv[++i]!));

fs.mkdirSync(path.join(repo, '.genie-lab'), { recursive: true });
const generated = fs.mkdtempSync(path.join(repo, '.genie-lab', 'bench-apply-'));
try {
  const written = generateTree(generated, FILES);
  await bench(generated, `generated tree (${written} files)`);
  for (const app of apps) await bench(app, app);
} finally {
  fs.rmSync(generated, { recursive: true, force: true });
}
