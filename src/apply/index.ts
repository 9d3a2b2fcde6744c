/**
 * `genie-fix apply`: runs the codemods of codemods/index.ts over a Next.js app. Dry run by default (returns
 * unified diffs); `write: true` writes atomically and type-checks the result. Returns data; printing lives in
 * src/commands/apply.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SourceFile } from 'ts-morph';
import { codemods } from '../../codemods/index.ts';
import type { ChangeNote, Codemod, CodemodContext, CodemodId } from '../../codemods/types.ts';
import { UsageError } from '../errors.ts';
import { unifiedDiff } from './diff.ts';
import { browserOnlySources } from './browser-code.ts';
import { edgeProblem } from './edge-runtime.ts';
import { listAppSources, listFolder } from './files.ts';
import { proveCodemod } from './prove-codemod.ts';
import { EditProver, dependenciesInstalled } from './prove.ts';
import { assertCleanTree, assertNextProject } from './preflight.ts';
import { SourceSet, createProject } from './sources.ts';
import { Workspace, type TemplateStore } from './workspace.ts';
import { keepConventions, writeAll } from './write-all.ts';

export interface ApplyOptions {
  dir: string;
  write?: boolean;
  only?: string[];
  skip?: string[];
  force?: boolean;
  /**
   * Prove every edit by an in-memory type check before it is shown or written (default true). false writes
   * unchecked edits, and the result says so.
   */
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
  /** How the edits were proven: the TypeScript version used, or why they are unchecked. */
  proof: { checked: boolean; typescript?: string; reason?: string; editsDropped: number };
  /** Sources left out because they only run in the browser (server codemods never edit them). */
  browserOnly: number;
  /** JavaScript files among the app's own code (app/, pages/, src/, lib/ …): the codemods read none of them. */
  javascriptUnread: number;
  /** 0 ok, 1 some matched sites need a human (listed with their reasons) or a codemod failed. */
  exitCode: 0 | 1;
}

export function selectCodemods(only?: string[], skip?: string[]): Codemod[] {
  const ids = codemods.map((c) => c.id as string);
  for (const id of [...(only ?? []), ...(skip ?? [])]) {
    if (!ids.includes(id)) throw new UsageError(`unknown codemod id "${id}", choose one of: ${ids.join(', ')}`);
  }
  return codemods.filter((c) => (!only?.length || only.includes(c.id)) && !skip?.includes(c.id));
}

/** A dropped file takes the other files of its group with it (their edits only make sense together). */
export function dropWithGroups(dropped: Map<string, string[]>, groups: string[][], root: string, edited: Map<string, unknown>): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (const group of groups) {
      const abs = group.map((rel) => path.join(root, rel));
      const cause = abs.find((a) => dropped.has(a));
      if (!cause) continue;
      for (const a of abs) {
        if (dropped.has(a) || !edited.has(a)) continue;
        dropped.set(a, [`its edit goes with ${path.relative(root, cause)}, which could not be proven`]);
        changed = true;
      }
    }
  }
}

export async function applyCodemods(opts: ApplyOptions): Promise<ApplyResult> {
  const root = path.resolve(opts.dir);
  assertNextProject(root);
  const selected = selectCodemods(opts.only, opts.skip);
  if (opts.write) assertCleanTree(root, Boolean(opts.force));
  const check = opts.typecheck ?? true;
  if (check) {
    const deps = dependenciesInstalled(root);
    if (!deps.installed) {
      throw new UsageError(
        `${root} has no installed dependencies ("${deps.missing}" cannot be resolved), so apply cannot prove its edits by type-checking them`,
        'install them first (npm install / pnpm install / yarn), or pass --no-typecheck to see and write unchecked edits',
      );
    }
  }

  const project = createProject(root);
  const workspace = new Workspace(root, opts.store);

  const listed = listAppSources(root);
  const allSources = listed.sources.map((rel) => ({ rel, text: fs.readFileSync(path.join(root, rel), 'utf8') }));
  const browserOnly = browserOnlySources(root, allSources);
  const sources = new SourceSet(root, project, allSources, allSources.filter((s) => !browserOnly.has(s.rel)));
  // Built on first use: a run with nothing to prove costs no type check.
  let prover: EditProver | undefined;
  const proverFor = (): EditProver => (prover ??= new EditProver(root, []));
  let editsDropped = 0;

  const summaries: CodemodSummary[] = [];
  for (const codemod of codemods) {
    const base = { id: codemod.id, title: codemod.title, filesScanned: 0, changedFiles: [], changes: [], candidates: [], failures: [], notes: [] };
    if (!selected.includes(codemod)) {
      summaries.push({ ...base, status: 'skipped', reason: opts.only?.length ? 'not in --only' : '--skip' });
      continue;
    }
    const { files, scanned } = sources.filesFor(codemod);
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
    const snapshot = workspace.snapshot();
    let result: Awaited<ReturnType<Codemod['transform']>>;
    try {
      result = await codemod.transform(ctx);
    } catch (err) {
      // A crash is a failure the user must see, never a silent "unchanged".
      for (const sf of files) {
        const text = before.get(sf);
        if (text !== undefined && sf.getFullText() !== text) sf.replaceWithText(text);
      }
      workspace.restore(snapshot);
      summaries.push({
        ...base,
        status: 'failed',
        filesScanned: scanned,
        failures: [{ file: '.', message: `${codemod.id} crashed: ${err instanceof Error ? err.message : String(err)}` }],
      });
      continue;
    }
    const candidates = [...result.candidates];
    let changes = result.changes;
    const edited = new Map<string, { before: string; after: string }>();
    for (const sf of files) {
      const text = before.get(sf)!;
      if (sf.getFullText() !== text) edited.set(sf.getFilePath(), { before: text, after: sf.getFullText() });
    }
    const staged = workspace.changedSince(snapshot);
    const needsProof = check && (edited.size > 0 || [...staged.keys()].some((abs) => /\.[cm]?tsx?$/.test(abs)));
    if (needsProof) proverFor().addPackages(workspace.dependenciesAdded.keys());
    const dropped = needsProof ? proveCodemod(proverFor(), root, sources.currentTexts(), { sources: edited, staged }).dropped : new Map<string, string[]>();
    if (edited.size > 0) {
      // What a type check cannot see: the edge runtime has no Node.js built-ins (checked with or without proof).
      for (const [abs, { after }] of edited) {
        const edge = edgeProblem(workspace.relative(abs), after);
        if (edge && !dropped.has(abs)) dropped.set(abs, [edge]);
      }
      dropWithGroups(dropped, result.groups ?? [], root, edited);
      for (const [abs, diags] of dropped) {
        const rel = workspace.relative(abs);
        project.getSourceFile(abs)?.replaceWithText(edited.get(abs)!.before);
        edited.delete(abs);
        editsDropped++;
        const why = /^(?:it runs on the edge|its edit goes with)/.test(diags[0] ?? '')
          ? `not written: ${diags[0]}`
          : `not written: the edit would add ${diags.length} type error(s): ${diags.slice(0, 2).join(' | ')}${diags.length > 2 ? ' | …' : ''}`;
        const own = changes.filter((n) => n.file === rel);
        changes = changes.filter((n) => n.file !== rel);
        if (own.length === 0) candidates.push({ file: rel, message: why });
        for (const n of own) candidates.push({ file: n.file, line: n.line, message: `${n.message} — ${why}` });
      }
      // Nothing of this codemod's source edits survived: its templates and dependencies are not needed either.
      if (dropped.size > 0 && edited.size === 0) workspace.restore(snapshot);
    }
    const changedFiles = [...edited.keys()].map((abs) => workspace.relative(abs));
    for (const abs of workspace.changedSince(snapshot).keys()) changedFiles.push(workspace.relative(abs));
    const status: CodemodStatus = result.failures.length ? 'failed' : changedFiles.length ? 'changed' : scanned || codemod.alwaysRuns ? 'unchanged' : 'skipped';
    summaries.push({
      ...base,
      status,
      reason: status === 'skipped' ? 'no file matched its prefilter' : undefined,
      filesScanned: scanned,
      changedFiles: [...new Set(changedFiles)].sort(),
      changes,
      candidates,
      failures: result.failures,
      notes: result.notes ?? [],
    });
  }

  // Everything that changed: TS files from the project, other files from the workspace.
  const pending = new Map<string, { before: string | undefined; after: string }>();
  for (const [abs, text] of sources.original) {
    const sf = project.getSourceFile(abs);
    // ts-morph may hand back LF for a CRLF file (or drop its BOM): that is not a change, and not what we write.
    const after = sf ? keepConventions(text, sf.getFullText()) : text;
    if (after !== text) pending.set(abs, { before: text, after });
  }
  for (const [abs, staged] of workspace.staged) pending.set(abs, staged);
  const files: FileChange[] = [...pending]
    .map(([abs, { before, after }]) => {
      const rel = workspace.relative(abs);
      return { path: rel, created: before === undefined, diff: unifiedDiff(rel, before, after) };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));

  const needsHuman = summaries.some((s) => s.failures.length > 0 || s.candidates.length > 0);
  const result: ApplyResult = {
    root,
    written: false,
    codemods: summaries,
    files,
    unparsable: sources.unparsable,
    templatesAdded: [...workspace.templatesAdded.values()],
    dependenciesAdded: Object.fromEntries(workspace.dependenciesAdded),
    proof: check
      ? { checked: true, typescript: prover?.tsVersion, editsDropped }
      : { checked: false, reason: '--no-typecheck', editsDropped: 0 },
    browserOnly: browserOnly.size,
    javascriptUnread: listed.javascriptUnread,
    exitCode: needsHuman ? 1 : 0,
  };

  if (opts.write && pending.size > 0) {
    writeAll(root, pending);
    result.written = true;
  }
  return result;
}
