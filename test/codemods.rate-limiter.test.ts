import { describe, expect, it } from 'vitest';
import { runFixtureCase } from './codemod-fixture-harness.ts';

// What the fixture texts cannot show: the reasons given for the sites left to a human.
describe('rate-limiter reasons', () => {
  it('a pre-flight login route keyed by IP alone is reported: it checks no password, so there is no account to key by', async () => {
    const s = await runFixtureCase('rate-limiter', 'no-transform-login-preflight');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => [c.line, c.message])).toEqual([[7, expect.stringMatching(/^login limiter keyed by IP alone \(`signin-preflight:\$\{addr\}`\).*checks no password, so there is no account to key it by here/)]]);
  });

  it('a limiter that would have to move past a side effect is reported, not moved', async () => {
    const s = await runFixtureCase('rate-limiter', 'no-transform-audit-before-account');
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringContaining("the account is known only after `await audit.record('login-attempt', { ip });`, which has side effects")]);
  });

  it("NextAuth's authorize keeps its own refusal (a throw), never a Response", async () => {
    const s = await runFixtureCase('rate-limiter', 'nextauth-authorize');
    expect(s.changes.map((c) => c.message)).toEqual([expect.stringContaining('refused as the app refused before')]);
  });
});
