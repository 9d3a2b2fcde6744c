/** src/apply/diff.ts: the dry run's unified diff, exact text. */
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../src/apply/diff.ts';

describe('unifiedDiff', () => {
  it('is empty for equal texts and numbers hunks like git', () => {
    expect(unifiedDiff('a.ts', 'x\n', 'x\n')).toBe('');
    expect(unifiedDiff('a.ts', 'a\nb\nc\n', 'a\nB\nc\n')).toBe('--- a/a.ts\n+++ b/a.ts\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n');
  });

  it('shows a change to the final newline alone, with the no-newline marker', () => {
    expect(unifiedDiff('a.ts', 'a\nb', 'a\nb\n')).toBe('--- a/a.ts\n+++ b/a.ts\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n');
    expect(unifiedDiff('a.ts', 'a\nb\n', 'a\nb')).toBe('--- a/a.ts\n+++ b/a.ts\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n');
  });

  it('diffs a new file against /dev/null', () => {
    expect(unifiedDiff('lib/genie/cache.ts', undefined, 'x\ny\n')).toBe('--- /dev/null\n+++ b/lib/genie/cache.ts\n@@ -0,0 +1,2 @@\n+x\n+y\n');
  });

  it('keeps far-apart changes in separate hunks with their context', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const after = before.replace('line 2\n', 'LINE 2\n').replace('line 19\n', 'LINE 19\n');
    const hunks = unifiedDiff('f.ts', before, after).split('\n').filter((l) => l.startsWith('@@'));
    expect(hunks).toEqual(['@@ -1,5 +1,5 @@', '@@ -16,5 +16,5 @@']);
  });
});
