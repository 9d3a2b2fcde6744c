/** codemods/fetch-cache.ts: what the fixture text cannot show — its warnings (it never edits). Real runner on fixtures. */
import { describe, expect, it } from 'vitest';
import { runFixtureCase as run } from './codemod-fixture-harness.ts';

describe('fetch-cache warnings (never edits)', () => {
  it("flags the memo's fix 8: a per-user route with revalidate, and force-cache on /api/user/profile", async () => {
    const s = await run('fetch-cache', 'no-transform-memo-trips-active');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((n) => n.line)).toEqual([6, 7]);
    expect(s.candidates[0]!.message).toContain('/api/trips/active is a per-user route');
    expect(s.candidates[0]!.message).toContain("which every user shares");
    expect(s.candidates[0]!.message).toContain("cache: 'no-store'");
    expect(s.candidates[0]!.memoWasWrong).toContain("memo's fix 8");
    expect(s.candidates[1]!.message).toContain("cache: 'force-cache'");
  });

  it('flags a fetch that forwards the cookie, and unstable_cache closing over the session user only', async () => {
    const cookies = await run('fetch-cache', 'no-transform-forwarded-cookies');
    expect(cookies.candidates.map((n) => [n.line, /forwards the caller/.test(n.message)])).toEqual([[5, true]]);
    const uc = await run('fetch-cache', 'no-transform-unstable-cache');
    expect(uc.candidates.map((n) => n.line)).toEqual([9]);
    expect(uc.candidates[0]!.message).toContain('closes over user');
  });

  it('leaves user-independent revalidate / force-cache fetches alone, and no-store ones', async () => {
    const s = await run('fetch-cache', 'no-transform-user-independent');
    expect(s.candidates).toEqual([]);
    expect(s.changes).toEqual([]);
  });
});
