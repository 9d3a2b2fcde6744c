/**
 * `genie-fix apply`: runs the codemods of codemods/index.ts over a Next.js app. Dry run by default (returns
 * unified diffs); `write: true` writes atomically and type-checks the result. Returns data; printing lives in
 * src/commands/apply.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Project, type SourceFile } from 'ts-morph';
import ts from 'typescript';
import { codemods } from '../../codemods/index.ts';
import type { ChangeNote, Codemod, CodemodContext, CodemodId } from '../../codemods/types.ts';
import { UsageError } from '../errors.ts';
import { unifiedDiff } from './diff.ts';
import { listFolder, listSources, writeAtomic } from './files.ts';
import { insideRoot } from './paths.ts';
import { assertCleanTree, assertNextProject } from './preflight.ts';
import { typecheck } from './typecheck.ts';
import { Workspace, loadTemplateDependencies, type TemplateStore } from './workspace.ts';

export interface ApplyOptions {
  dir: string;
  write?: boolean;
  only?: string[];
  skip?: string[];
  force?: boolean;
  /** Type-check after writing (default true with write). */
  typecheck?: boolean;
  /** Where the limiter and cache templates keep state (default memory); 'redis' copies their .redis.ts variants. */
  store?: TemplateStore;
  /** Codemod options (connectionLimit, databaseUrl, instances, …). */
  options?: CodemodContext['options'];
}

export type CodemodStatus = 'changed' | 'unchanged' | 'skipped' | 'failed';

export interface CodemodSummary {
  id: CodemodId;
  title: string;
  status: CodemodStatus;
  /** Why it was skipped (e.g. "no file matched the prefilter", "--skip"). */
  reason?: string;
  filesScanned: number;
  changedFiles: string[];
  changes: ChangeNote[];
  candidates: ChangeNote[];
  failures: ChangeNote[];
  notes: ChangeNote[];
}

export interface FileChange {
  path: string;
  created: boolean;
  diff: string;
}

export interface ApplyResult {
  root: string;
  written: boolean;
  codemods: CodemodSummary[];
  files: FileChange[];
  /** Files that do not parse: skipped by name, never touched. */
  unparsable: Array<{ path: string; reason: string }>;
  templatesAdded: string[];
  dependenciesAdded: Record<string, string>;
  typecheck?: { ran: boolean; reason?: string; newErrors: string[]; errorsBefore: number; errorsAfter: number };
  /** 0 ok, 1 a codemod could not be applied where it matched (or the patch added type errors). */
  exitCode: 0 | 1;
}

export function selectCodemods(only?: string[], skip?: string[]): Codemod[] {
  const ids = codemods.map((c) => c.id as string);
  for (const id of [...(only ?? []), ...(skip ?? [])]) {
    if (!ids.includes(id)) throw new UsageError(`unknown codemod id "${id}", choose one of: ${ids.join(', ')}`);
  }
  return codemods.filter((c) => (!only?.length || only.includes(c.id)) && !skip?.includes(c.id));
}

function parseError(sf: SourceFile): string | undefined {
  // The parser's own diagnostics: no Program, no type checker, so a broken file costs one parse.
  const diags = (sf.compilerNode as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
  const first = diags[0];
  if (!first) return undefined;
  const where = first.start !== undefined ? sf.getLineAndColumnAtPos(first.start) : undefined;
  return `${ts.flattenDiagnosticMessageText(first.messageText, '\n')}${where ? ` (line ${where.line})` : ''}`;
}

export async function applyCodemods(opts: ApplyOptions): Promise<ApplyResult> {
  const root = path.resolve(opts.dir);
  assertNextProject(root);
  const selected = selectCodemods(opts.only, opts.skip);
  if (opts.write) assertCleanTree(root, Boolean(opts.force));
  await loadTemplateDependencies();

  const tsconfig = path.join(root, 'tsconfig.json');
  const project = fs.existsSync(tsconfig)
    ? new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true, skipFileDependencyResolution: true })
    : new Project({ compilerOptions: { allowJs: true, jsx: ts.JsxEmit.ReactJSX }, skipFileDependencyResolution: true });
  const workspace = new Workspace(root, opts.store);

  const sources = listSources(root).map((rel) => ({ rel, text: fs.readFileSync(path.join(root, rel), 'utf8') }));
  const original = new Map<string, string>(); // abs → text before any codemod
  const parsed = new Map<string, SourceFile | null>(); // rel → file, null when it does not parse
  const unparsable: ApplyResult['unparsable'] = [];
  const load = (rel: string, text: string): SourceFile | null => {
    const known = parsed.get(rel);
    if (known !== undefined) return known;
    const abs = path.join(root, rel);
    const sf = project.createSourceFile(abs, text, { overwrite: true });
    const problem = parseError(sf);
    if (problem) {
      unparsable.push({ path: rel, reason: problem });
      project.removeSourceFile(sf);
      parsed.set(rel, null);
      return null;
    }
    original.set(abs, text);
    parsed.set(rel, sf);
    return sf;
  };

  const summaries: CodemodSummary[] = [];
  for (const codemod of codemods) {
    const base = { id: codemod.id, title: codemod.title, filesScanned: 0, changedFiles: [], changes: [], candidates: [], failures: [], notes: [] };
    if (!selected.includes(codemod)) {
      summaries.push({ ...base, status: 'skipped', reason: opts.only?.length ? 'not in --only' : '--skip' });
      continue;
    }
    const files: SourceFile[] = [];
    for (const { rel, text } of sources) {
      const current = parsed.get(rel);
      const currentText = current ? current.getFullText() : text;
      if (!codemod.prefilter(currentText, rel)) continue;
      const sf = load(rel, text);
      if (sf) files.push(sf);
    }
    const before = new Map(files.map((sf) => [sf, sf.getFullText()]));
    const ctx: CodemodContext = {
      root,
      project,
      files,
      addTemplate: (name, from) => workspace.addTemplate(name, from),
      addDependency: (name, version) => workspace.addDependency(name, version),
      readText: (rel) => workspace.read(rel),
      writeText: (rel, content) => workspace.write(rel, content),
      listFiles: (relDir) => listFolder(root, relDir ?? '.'),
      options: opts.options ?? {},
    };
    const stagedBefore = new Map([...workspace.staged].map(([k, v]) => [k, v.after]));
    try {
      const result = await codemod.transform(ctx);
      const changedFiles = files.filter((sf) => sf.getFullText() !== before.get(sf)).map((sf) => workspace.relative(sf.getFilePath()));
      for (const [abs, staged] of workspace.staged) {
        if (stagedBefore.get(abs) !== staged.after) changedFiles.push(workspace.relative(abs));
      }
      const status: CodemodStatus = result.failures.length ? 'failed' : changedFiles.length ? 'changed' : files.length || codemod.alwaysRuns ? 'unchanged' : 'skipped';
      summaries.push({
        ...base,
        status,
        reason: status === 'skipped' ? 'no file matched its prefilter' : undefined,
        filesScanned: files.length,
        changedFiles: [...new Set(changedFiles)].sort(),
        changes: result.changes,
        candidates: result.candidates,
        failures: result.failures,
        notes: result.notes ?? [],
      });
    } catch (err) {
      // A crash is a failure the user must see, never a silent "unchanged".
      for (const sf of files) {
        const text = before.get(sf);
        if (text !== undefined && sf.getFullText() !== text) sf.replaceWithText(text);
      }
      summaries.push({
        ...base,
        status: 'failed',
        filesScanned: files.length,
        failures: [{ file: '.', message: `${codemod.id} crashed: ${err instanceof Error ? err.message : String(err)}` }],
      });
    }
  }

  // Everything that changed: TS files from the project, other files from the workspace.
  const pending = new Map<string, { before: string | undefined; after: string }>();
  for (const [abs, text] of original) {
    const sf = project.getSourceFile(abs);
    if (sf && sf.getFullText() !== text) pending.set(abs, { before: text, after: sf.getFullText() });
  }
  for (const [abs, staged] of workspace.staged) pending.set(abs, staged);
  const files: FileChange[] = [...pending]
    .map(([abs, { before, after }]) => {
      const rel = workspace.relative(abs);
      return { path: rel, created: before === undefined, diff: unifiedDiff(rel, before, after) };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));

  const failed = summaries.some((s) => s.failures.length > 0);
  const result: ApplyResult = {
    root,
    written: false,
    codemods: summaries,
    files,
    unparsable,
    templatesAdded: [...workspace.templatesAdded.values()],
    dependenciesAdded: Object.fromEntries(workspace.dependenciesAdded),
    exitCode: failed ? 1 : 0,
  };

  if (opts.write && pending.size > 0) {
    const check = opts.typecheck ?? true;
    const beforeCheck = check ? typecheck(root) : undefined;
    const rootReal = fs.realpathSync(root);
    for (const [abs, { after }] of pending) {
      insideRoot(root, path.relative(root, abs));
      // A symlinked folder inside the app could still point outside it.
      let existing = path.dirname(abs);
      while (!fs.existsSync(existing)) existing = path.dirname(existing);
      const real = fs.realpathSync(existing);
      if (real !== rootReal && !real.startsWith(rootReal + path.sep)) {
        throw new UsageError(`refusing to write ${abs}: it resolves outside the target folder`);
      }
      writeAtomic(abs, after);
    }
    result.written = true;
    if (beforeCheck) {
      const afterCheck = typecheck(root);
      const known = new Set(beforeCheck.errors);
      const newErrors = afterCheck.errors.filter((e) => !known.has(e));
      result.typecheck = {
        ran: afterCheck.ran,
        reason: afterCheck.reason,
        newErrors,
        errorsBefore: beforeCheck.errors.length,
        errorsAfter: afterCheck.errors.length,
      };
      if (newErrors.length) result.exitCode = 1;
    }
  }
  return result;
}
