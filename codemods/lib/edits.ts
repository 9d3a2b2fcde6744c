/** Text-level splices for a slice of a file: the edits' offsets are file offsets, `base` is where `text` starts. */
import type { Edit } from '../ast.ts';

/** Applies non-overlapping edits to `text` (a slice of the file starting at `base`), last first. */
export function spliceText(text: string, base: number, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start - base) + e.text + out.slice(e.end - base);
  return out;
}

/** Does any edit reach outside [start, end)? */
export function outside(edits: Edit[], start: number, end: number): boolean {
  return edits.some((e) => e.start < start || e.end > end);
}
