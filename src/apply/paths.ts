import path from 'node:path';
import { UsageError } from '../errors.ts';

/** Resolves `rel` under `root` and refuses anything that would land outside it (`..`, absolute paths). */
export function insideRoot(root: string, rel: string): string {
  const abs = path.resolve(root, rel);
  const back = path.relative(root, abs);
  if (back === '' || back.startsWith('..') || path.isAbsolute(back)) {
    throw new UsageError(`refusing to touch ${rel}: it is outside the target folder ${root}`);
  }
  return abs;
}

export function toRel(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}
