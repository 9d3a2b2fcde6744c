/** Walks an app's folders for files, for code that must look past the files it was given (init, cross-module checks). */
import fs from 'node:fs';
import path from 'node:path';

export interface WalkOptions {
  /** Folder names never entered (node_modules, build output). */
  skipDir(name: string): boolean;
  /** File names kept. */
  keep(name: string): boolean;
  /** At most this many files are yielded, so a huge tree costs a bounded time. */
  limit?: number;
}

/** Absolute paths of the files under `dir` that `keep` accepts, depth first; an unreadable folder is passed over. */
export function* walkFiles(dir: string, options: WalkOptions, budget = { left: options.limit ?? Infinity }): Generator<string> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (budget.left <= 0) return;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!options.skipDir(e.name)) yield* walkFiles(full, options, budget);
    } else if (e.isFile() && options.keep(e.name)) {
      budget.left--;
      yield full;
    }
  }
}
