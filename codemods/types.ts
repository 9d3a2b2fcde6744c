import type { Project, SourceFile } from 'ts-morph';

export type CodemodId =
  | 'database-url'
  | 'cache'
  | 'gemini-queue'
  | 'rate-limiter'
  | 'stream-buffer'
  | 'optimistic-lock'
  | 'upload-queue'
  | 'session-id'
  | 'fetch-cache';

/** One line of the apply output: what changed where, and why (and where the memo was wrong). */
export interface ChangeNote {
  file: string; // relative to the target root, forward slashes
  line?: number;
  message: string;
  /** Set where BRIEF.md's proposed fix differs from what we do. */
  memoWasWrong?: string;
}

export interface CodemodContext {
  /** Absolute path of the target app (the folder with package.json / next.config). */
  root: string;
  project: Project;
  /** Files the prefilter kept for this codemod (already parsed into `project`). */
  files: SourceFile[];
  /** Add a template module to the app (e.g. lib/genie/cache.ts); idempotent. Returns its import specifier relative to `from`. */
  addTemplate(name: string, from: SourceFile): string;
  /** Add a dependency at a tested version to the app's package.json; idempotent. */
  addDependency(name: string, version: string): void;
  /** Read/write non-TS files (e.g. .env) inside the root only. */
  readText(relPath: string): string | undefined;
  writeText(relPath: string, content: string): void;
  /** Files (not folders) directly inside one folder of the app, app-relative; default the root. */
  listFiles(relDir?: string): string[];
  options: Record<string, string | number | boolean | string[] | undefined>;
}

export interface CodemodResult {
  changes: ChangeNote[];
  /** Places that match the pattern but need a human (not changed). */
  candidates: ChangeNote[];
  /** Could not be applied where it matched: makes apply exit 1. */
  failures: ChangeNote[];
  /** Matches deliberately left alone, with the reason (e.g. a per-user read, a limiter already keyed by account). */
  notes?: ChangeNote[];
  /**
   * Files (app-relative) whose edits stand or fall together: when the proof drops one, the runner drops the
   * rest (a cached read is only right with the invalidations at its writes).
   */
  groups?: string[][];
}

export interface Codemod {
  id: CodemodId;
  title: string;
  /** Cheap text test before parsing: a file that fails it is never parsed for this codemod. */
  prefilter(text: string, relPath: string): boolean;
  /**
   * Optional, for a codemod that changes and reports nothing unless at least one of its files passes `file` (the
   * cache codemod parses every writer of a model, which only matters next to a cached read in a route that calls
   * Gemini). The runner parses and tests the prefiltered files that pass `text` first; when none passes `file`, the
   * codemod runs with no files and the rest are never parsed. Both tests must be exactly as strict as the
   * codemod's own, or findings are lost.
   */
  anchor?: { text(text: string, relPath: string): boolean; file(sf: SourceFile): boolean };
  transform(ctx: CodemodContext): Promise<CodemodResult> | CodemodResult;
  /** Only warns, never edits (fetch-cache). */
  warnOnly?: boolean;
  /** Runs even when no source file passes the prefilter (database-url edits .env files). */
  alwaysRuns?: boolean;
}
