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

  it('a limiter inside the handler\'s try block is re-keyed in that block; a log line between it and the lookup is no obstacle', async () => {
    const s = await runFixtureCase('rate-limiter', 'try-block-login');
    expect(s.candidates).toEqual([]);
    expect(s.changes.map((c) => [c.line, c.message])).toEqual([[11, expect.stringContaining('Now keyed by IP + email via checkLoginAllowed')]]);
  });

  it('a database write between the account and the lookup: the gate goes right after the account is parsed, ahead of the write', async () => {
    const s = await runFixtureCase('rate-limiter', 'try-block-write-before-lookup');
    expect(s.candidates).toEqual([]);
    expect(s.changes).toHaveLength(1);
  });

  it('a database write before the account is known stops the move, with that write named', async () => {
    const s = await runFixtureCase('rate-limiter', 'no-transform-try-block-write-before-account');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => [c.line, c.message])).toEqual([[10, expect.stringContaining("the account is known only after `await store.counter.update({ where: { name: 'signin' }, data`, which has side effects")]]);
  });

  it('a key built by a same-module helper that returns the first x-forwarded-for hop is an IP key', async () => {
    const s = await runFixtureCase('rate-limiter', 'login-ip-helper');
    expect(s.changes.map((c) => c.message)).toEqual([expect.stringContaining('limited by IP alone (bucketKey)')]);
  });

  it('a sign-in wrapper keyed by an imported IP helper is reported: no password is checked there', async () => {
    const s = await runFixtureCase('rate-limiter', 'no-transform-signin-wrapper-ip-helper');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => [c.line, c.message])).toEqual([[8, expect.stringMatching(/^login limiter keyed by IP alone \(who\).*checks no password, so there is no account to key it by here/)]]);
  });

  it('a helper that returns the account is not an IP key, and a password-reset quota keyed by IP is not a login limiter', async () => {
    const byAccount = await runFixtureCase('rate-limiter', 'no-transform-login-helper-returns-account');
    expect([byAccount.changes, byAccount.candidates]).toEqual([[], []]);
    expect(byAccount.notes.map((n) => n.message)).toEqual([expect.stringContaining('already keyed by the account')]);
    const reset = await runFixtureCase('rate-limiter', 'no-transform-reset-password-ip-helper');
    expect([reset.changes, reset.candidates, reset.notes]).toEqual([[], [], []]);
  });

  it('an IP limiter beside a per-account one checked before the password is the ceiling and stays; a per-user one checked after the password does not count', async () => {
    const ceiling = await runFixtureCase('rate-limiter', 'no-transform-ip-ceiling-beside-account');
    expect([ceiling.changes, ceiling.candidates]).toEqual([[], []]);
    expect(ceiling.notes.map((n) => [n.line, n.message])).toContainEqual([9, expect.stringContaining('beside one keyed by the account (line 10): it is the per-IP ceiling; left alone')]);
    const afterLogin = await runFixtureCase('rate-limiter', 'per-user-key-after-login');
    expect(afterLogin.changes).toHaveLength(1);
  });

  it('a login limiter handed the request, keyed by an IP helper inside its own module, is reported with that helper', async () => {
    const s = await runFixtureCase('rate-limiter', 'no-transform-login-limiter-takes-request');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((n) => n.message)).toEqual([expect.stringContaining('login limiter withThrottle(request, …) keys attempts by the client IP it reads inside (addressOf(request))')]);
  });
});
