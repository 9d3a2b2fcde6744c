/** optimistic-lock's check-then-act with an atomic write (codemods/optimistic-lock/plan-guarded-atomic.ts): what it says. */
import { describe, expect, it } from 'vitest';
import { runFixtureCase } from './codemod-fixture-harness.ts';

describe('optimistic-lock: a check on the value read, then an atomic write', () => {
  it('says the write is now conditional and answers as the check does', async () => {
    const s = await runFixtureCase('optimistic-lock', 'guarded-spend-decrement');
    expect(s.candidates).toEqual([]);
    expect(s.changes.map((c) => c.message)).toEqual([
      expect.stringMatching(/^wallet\.update changes balance atomically, but only after checking wallet\.balance read earlier: two requests can both pass the check .*`balance: \{ gte: price \}` in its where; when no row matched it answers what the check `wallet\.balance < price` answers$/),
    ]);
  });

  it('inside a transaction the check throws, so the conditional write throws the same error and rolls back', async () => {
    const s = await runFixtureCase('optimistic-lock', 'guarded-pick-in-transaction');
    expect(s.candidates).toEqual([]);
    expect(s.changes).toHaveLength(1);
  });

  it('a bound read from the same row is reported, not rewritten', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-guard-against-row');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringContaining('compares the counter with something computed from the row')]);
  });

  it('a check answered with a return inside a transaction is reported (a return would commit the earlier writes)', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-guarded-return-in-transaction');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringContaining("answering with the check's return would commit")]);
  });

  it('a limit checked in one function and counted in another is reported at the check (no one write can hold it)', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-usage-limit-split');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => c.message)).toEqual([
      expect.stringMatching(/^hasFreeCallsLeft\(\) checks usageLimit\.count \(`usage\.count < FREE_CALLS`\) and countFreeCall\(\) adds to it separately: .*Reserve the use/),
    ]);
  });

  it('a counter bumped only when a later check of the row fails (a wrong guess) is reported: a conditional write would cap the count, not the guesses', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-guess-counted-after-compare');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringContaining('runs only when the later check `entry.code !== guess` of entry holds')]);
  });

  it('the same cap with a right guess returning early, compared through a local, is reported for the same reason', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-guess-early-return');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringContaining('runs only when the later check `matches` of entry holds')]);
  });

  it("through a client with query hooks on update ($extends query), the updateMany fix is reported, not written", async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-client-with-hooks');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringContaining('the Prisma client (@/lib/audited-db) has query hooks')]);
  });
});
