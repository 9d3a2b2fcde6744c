/**
 * Writes a set of proven edits all or nothing: every path is checked first (inside the app, not through a
 * symlink that leaves it, writable), then each file is written atomically with its line endings, BOM and mode
 * kept; if any write fails, the files already written are put back as they were.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { writeAtomic } from './files.ts';
import { insideRoot, toRel } from './paths.ts';

export interface PendingWrite {
  before: string | undefined;
  after: string;
}

/** Keeps the file's own conventions: CRLF stays CRLF (codemods insert `\n`), a BOM stays. */
export function keepConventions(before: string | undefined, after: string): string {
  if (before === undefined) return after;
  // Unedited: ts-morph's text differs from the file's only in line endings or BOM. A file whose line endings are
  // mixed must come back byte for byte, not with every line made like the majority.
  const plain = (t: string) => t.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  if (plain(before) === plain(after)) return before;
  let out = after;
  const crlf = (before.match(/\r\n/g) ?? []).length;
  const lf = (before.match(/\n/g) ?? []).length;
  if (crlf > 0 && crlf * 2 >= lf) out = out.replace(/\r?\n/g, '\r\n');
  if (before.startsWith('\uFEFF') && !out.startsWith('\uFEFF')) out = `\uFEFF${out}`;
  return out;
}

function problemWith(root: string, rootReal: string, abs: string): string | undefined {
  insideRoot(root, path.relative(root, abs));
  // A symlinked folder inside the app could still point outside it.
  let existing = path.dirname(abs);
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  const real = fs.realpathSync(existing);
  if (real !== rootReal && !real.startsWith(rootReal + path.sep)) return `${toRel(root, abs)} resolves outside the target folder (through a symlink)`;
  if (fs.existsSync(abs)) {
    const stat = fs.lstatSync(abs);
    if (stat.isSymbolicLink()) {
      const target = fs.realpathSync(abs);
      if (target !== rootReal && !target.startsWith(rootReal + path.sep)) return `${toRel(root, abs)} is a symlink to a file outside the target folder`;
    }
    try {
      fs.accessSync(abs, fs.constants.W_OK);
    } catch {
      return `${toRel(root, abs)} is read-only`;
    }
    if ((fs.statSync(abs).mode & 0o222) === 0) return `${toRel(root, abs)} is read-only (mode ${(fs.statSync(abs).mode & 0o777).toString(8)})`;
  }
  return undefined;
}

/** Writes every pending file or none; returns the app-relative paths written. */
export function writeAll(root: string, pending: Map<string, PendingWrite>): string[] {
  const rootReal = fs.realpathSync(root);
  const problems = [...pending.keys()].map((abs) => problemWith(root, rootReal, abs)).filter((p): p is string => p !== undefined);
  if (problems.length) {
    throw new UsageError(
      `nothing was written: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}`,
      'make those paths writable files inside the app, or leave them out with --skip <codemod>',
    );
  }
  const written: Array<{ abs: string; before: string | undefined; mode: number | undefined }> = [];
  try {
    for (const [abs, { before, after }] of pending) {
      const mode = fs.existsSync(abs) ? fs.statSync(abs).mode & 0o7777 : undefined;
      const onDisk = fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : undefined;
      writeAtomic(abs, keepConventions(before, after), fs.existsSync(abs) ? fs.realpathSync(abs) : abs);
      written.push({ abs, before: onDisk, mode });
      if (mode !== undefined) fs.chmodSync(abs, mode);
    }
  } catch (err) {
    for (const w of written.reverse()) {
      try {
        if (w.before === undefined) fs.rmSync(w.abs, { force: true });
        else writeAtomic(w.abs, w.before);
        if (w.mode !== undefined && w.before !== undefined) fs.chmodSync(w.abs, w.mode);
      } catch {
        // best effort: the message below names the file that failed
      }
    }
    const reason = err instanceof Error ? err.message : String(err);
    throw new UsageError(`nothing was written: writing failed (${reason}); every file already written was restored`);
  }
  return written.map((w) => toRel(root, w.abs));
}
