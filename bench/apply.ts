/**
 * npm run bench:apply — dry run of every codemod over a generated app of ≥ 3 000 files, compared with a plain
 * full ts-morph parse of the same tree (the cost the prefilter avoids). ast-grep is timed only when
 * @ast-grep/cli is installed.
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
fs.mkdirSync(path.join(repo, '.genie-lab'), { recursive: true });
const root = fs.mkdtempSync(path.join(repo, '.genie-lab', 'bench-apply-'));
try {
  const written = generateTree(root, FILES);
  const sources = listSources(root).length;
  console.log(`generated ${written} files (${sources} .ts/.tsx) in ${path.relative(repo, root)}`);

  let t = performance.now();
  const result = await applyCodemods({ dir: root });
  const applyMs = performance.now() - t;
  const changed = result.files.length;
  const scanned = Math.max(...result.codemods.map((c) => c.filesScanned));
  console.log(`apply dry run: ${(applyMs / 1000).toFixed(2)} s, ${Math.round(sources / (applyMs / 1000))} files/s, ${changed} files would change (largest per-codemod parse set ${scanned} files)`);
  for (const c of result.codemods) console.log(`  ${c.id.padEnd(16)} ${c.status.padEnd(9)} scanned ${c.filesScanned}, changed ${c.changedFiles.length}, candidates ${c.candidates.length}`);

  t = performance.now();
  const project = new Project({ tsConfigFilePath: path.join(root, 'tsconfig.json'), skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true });
  const parsed = project.addSourceFilesAtPaths([`${root}/**/*.ts`, `${root}/**/*.tsx`]);
  let nodes = 0;
  for (const sf of parsed) nodes += sf.getStatements().length;
  const parseMs = performance.now() - t;
  console.log(`plain ts-morph parse of every file: ${(parseMs / 1000).toFixed(2)} s, ${Math.round(parsed.length / (parseMs / 1000))} files/s (${nodes} top-level statements)`);
  console.log(`ratio apply / full parse: ${(applyMs / parseMs).toFixed(2)}`);

  const sg = path.join(repo, 'node_modules/.bin/ast-grep');
  if (fs.existsSync(sg)) {
    t = performance.now();
    spawnSync(sg, ['run', '--pattern', '$B = $B.substring($$$)', '--lang', 'ts', root], { encoding: 'utf8' });
    const sgMs = performance.now() - t;
    console.log(`ast-grep pattern search: ${(sgMs / 1000).toFixed(2)} s; ratio apply / ast-grep: ${(applyMs / sgMs).toFixed(2)}`);
  } else {
    console.log('ast-grep: skipped (@ast-grep/cli is not installed)');
  }
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
