/**
 * The dry run's unified diff of one file, from the `diff` package (Myers' algorithm, and the
 * `\ No newline at end of file` marker, so a change to the last line ending alone is visible).
 */
import { createTwoFilesPatch } from 'diff';

/** `--- a/file` / `+++ b/file` unified diff with `context` lines around each change; '' when equal. */
export function unifiedDiff(relPath: string, before: string | undefined, after: string, context = 3): string {
  if (before === after) return '';
  const from = before === undefined ? '/dev/null' : `a/${relPath}`;
  const patch = createTwoFilesPatch(from, `b/${relPath}`, before ?? '', after, undefined, undefined, { context });
  // The package starts with an `Index:`-style rule line that git and GNU diff do not print.
  return patch.replace(/^=+\n/, '');
}
