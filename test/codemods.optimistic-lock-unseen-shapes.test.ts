/**
 * optimistic-lock on shapes first met in apps it had never seen (issue 11): a transaction callback passed by name,
 * a state transition whose write sets a fixed state, stock checked on many rows then decremented per item, and a
 * limit read from the same row as the counter.
 */
import { describe, expect, it } from 'vitest';
import { runFixtureCase } from './codemod-fixture-harness.ts';

describe('optimistic-lock: shapes from unseen apps', () => {
  it('follows a $transaction callback passed by name: the status check becomes a compare-and-set answering 409', async () => {
    const s = await runFixtureCase('optimistic-lock', 'named-callback-withdraw');
    expect(s.candidates).toEqual([]);
    expect(s.changes.map((c) => c.message)).toEqual([expect.stringMatching(/^order\.update in an interactive \$transaction .*its where also requires status = order\.status.*answers 409/)]);
  });

  it('a named callback that also restocks another row is reported: that write can miss its row too (P2025)', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-named-callback-restock');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringMatching(/^order\.update inside \$transaction.* check-then-act on order .*part\.update in the same transaction can also fail with "record not found" \(P2025\)/)]);
  });

  it('stock checked on findMany rows, then decremented per item in Promise.all: reported as an oversell, never rewritten', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-stock-many-per-item');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => c.message)).toEqual([
      expect.stringMatching(/^part\.update: oversell: the stockQty checked on part rows read earlier by findMany \(line 11; the check `part\.stockQty < line\.qty` at line 15\) is decremented per item without the check in the write.*updateMany with `stockQty: \{ gte: line\.qty \}` in its where, count checked, and throw to roll back/),
    ]);
  });

  it('per-item increments with no check on the rows read stay silent (the atomic write is right)', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-restock-many-unchecked');
    expect(s.changes).toEqual([]);
    expect(s.candidates).toEqual([]);
  });

  it('a counter bounded by another column of the row, written through a local key, is reported with the field reference it needs', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-bound-from-same-row');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => c.message)).toEqual([
      expect.stringMatching(/^part\.update changes stockQty atomically, but only after checking part\.stockQty read earlier.*a bound from the same row cannot be a constant in a where; only a field reference \(`stockQty: \{ lt: <client>\.<model>\.fields\.capacity \}`, Prisma 5 or later/),
    ]);
  });

  it('a plain bound with the row named through a local key is reported, not rewritten (which row the local holds is not proven)', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-guarded-spend-through-local');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringMatching(/^wallet\.update changes balance atomically, .*the write names wallet through \{ id: walletId \}, not wallet itself/)]);
  });

  it('a per-item write on a branch where the stock check does not run is not called an oversell; the one on the checked branch is', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-stock-many-two-branches');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => `${c.line}: ${c.message}`)).toEqual([expect.stringMatching(/^23: part\.update: oversell: .*the check `onHand < wanted\.qty` at line 16/)]);
  });

  it('a write of fields never read from the row (a summary computed from the body) is left alone with a note, not reported', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-derived-field');
    expect(s.changes).toEqual([]);
    expect(s.candidates).toEqual([]);
    expect(s.notes.map((n) => n.message)).toEqual([expect.stringContaining('article.update writes summary from other fields of article (body), not from the values it replaces, so it adds to nothing another request wrote')]);
  });

  it('a row written with a value from another row of the same model is reported naming the row written, not the other', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-set-once-from-other-row');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((n) => n.message)).toEqual([expect.stringContaining('member.update writes me (read earlier) with a value taken from inviter, another member row')]);
  });

  it('a write run only in a checked state whose result is used is left with a note, not failed (updateMany returns a count)', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-state-guarded-result-used');
    expect(s.candidates).toEqual([]);
    expect(s.notes.map((n) => n.message)).toEqual([expect.stringMatching(/^order\.update runs only after checking order\.status read earlier: .*the write's result is used/)]);
  });

  it('a compare-and-set after other writes of the request (a like row created) is reported: its 409 would leave them done', async () => {
    const s = await runFixtureCase('optimistic-lock', 'no-transform-count-after-like-row');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((n) => n.message)).toEqual([expect.stringMatching(/^post\.update is a read-modify-write of post, but `db\.postLike\.delete` at line 14 writes before it and would stay done/)]);
  });
});
