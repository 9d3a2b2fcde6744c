import { describe, expect, it } from 'vitest';
import { runFixtureCase } from './codemod-fixture-harness.ts';

describe('stream-buffer reasons', () => {
  it('a reply accumulator cut to its tail is reported with what to do (no line splitter applies)', async () => {
    const s = await runFixtureCase('stream-buffer', 'no-transform-reply-accumulator');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringMatching(/^`answer` accumulates the reply and is cut to its tail past 100_000 characters: long replies lose their beginning/)]);
  });

  it('a cut whose block also logs is still the cut: rewritten, its constants removed with it', async () => {
    const s = await runFixtureCase('stream-buffer', 'logged-cap-reader');
    expect(s.candidates).toEqual([]);
    expect(s.changes.map((c) => c.message)).toEqual([expect.stringContaining('past MAX_PENDING characters')]);
  });

  it('a cap inside a TransformStream transform() is reported with how to drain it, not passed over', async () => {
    const s = await runFixtureCase('stream-buffer', 'no-transform-transform-stream-cap');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringMatching(/^`pending` is capped and truncated inside a TransformStream's transform\(\)/)]);
  });
});
