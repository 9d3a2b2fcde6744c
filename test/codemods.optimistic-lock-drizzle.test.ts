/**
 * optimistic-lock on Drizzle, beyond what the fixture text shows: why each site was rewritten, refused or left
 * alone (fixtures in codemods/__testfixtures__/optimistic-lock/drizzle-* and no-transform-drizzle-*).
 */
import { describe, expect, it } from 'vitest';
import { runFixtureCase } from './codemod-fixture-harness.ts';

const lock = (name: string) => runFixtureCase('optimistic-lock', name);

describe('optimistic-lock on Drizzle: lost updates', () => {
  it('a counter read then written back becomes sql arithmetic on a notNull number column', async () => {
    const s = await lock('drizzle-counter');
    expect(s.candidates).toEqual([]);
    expect(s.changes.map((c) => c.message)).toEqual([expect.stringContaining('update(pageStats).set wrote a value computed from stat')]);
  });

  it('a value computed through a local is the same lost update; the local, now unused, goes', async () => {
    const s = await lock('drizzle-count-through-local');
    expect(s.candidates).toEqual([]);
    expect(s.changes.map((c) => c.message)).toEqual([expect.stringContaining('computed from page')]);
  });

  it('a local also sent back after the write is left to a human: it would no longer be what the database holds', async () => {
    const s = await lock('no-transform-drizzle-local-answered');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringMatching(/balance is also used on line 12 after the write.*returning\(\)/)]);
  });
});

describe('optimistic-lock on Drizzle: check-then-act', () => {
  it('a balance check becomes a condition of the write, and a row that no longer matches ends the request as the check did', async () => {
    const s = await lock('drizzle-spend-credits');
    expect(s.candidates).toEqual([]);
    expect(s.changes.map((c) => c.message)).toEqual([expect.stringMatching(/check-then-act on wallet \(checked on line 15.*gte\(wallets\.credits, REPORT_COST\).*as the check on line 15 ends it/)]);
  });

  it('a cap compared with another column of the same row: lt(used, maxUses) in the where', async () => {
    const s = await lock('drizzle-capped-voucher');
    expect(s.changes.map((c) => c.message)).toEqual([expect.stringContaining('lt(vouchers.used, vouchers.maxUses)')]);
  });

  it('two checks that end the request differently: both in the where, and a 409 when no row matched', async () => {
    const s = await lock('drizzle-book-seat-two-checks');
    expect(s.candidates).toEqual([]);
    expect(s.changes.map((c) => c.message)).toEqual([expect.stringMatching(/eq\(flights\.status, 'open'\), gte\(sql`\$\{flights\.seatsLeft\} - \$\{1\}`, 0\).*answers 409/)]);
  });

  it('a write that is not arithmetic (a status flip) becomes a compare-and-set on the columns read, 409 when the row changed', async () => {
    const s = await lock('drizzle-status-toggle');
    expect(s.candidates).toEqual([]);
    expect(s.changes.map((c) => c.message)).toEqual([expect.stringMatching(/compare-and-set: the where also requires status to still hold what was read.*409/)]);
  });

  it('a compare-and-set on a column that may be NULL is reported (an equality never matches NULL)', async () => {
    const s = await lock('no-transform-drizzle-nullable-note');
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringContaining('wallets.note is not declared a notNull() number or text column')]);
  });

  it('a check written value-first and a check in a branch-local answer are both moved, mirrored and negated', async () => {
    const s = await lock('drizzle-spend-owner-and-balance');
    expect(s.candidates).toEqual([]);
    expect(s.changes.map((c) => c.message)).toEqual([expect.stringMatching(/checked on line 11, 15.*gte\(wallets\.credits, cost\), eq\(wallets\.ownerId, ownerId\).*409/)]);
  });

  it('a MySQL table has no RETURNING: reported with that reason', async () => {
    const s = await lock('no-transform-drizzle-mysql');
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringMatching(/tickets is a mysqlTable: MySQL has no RETURNING.*affectedRows/)]);
  });

  it('a check on only some paths to the write is reported, not made a condition of every write', async () => {
    const s = await lock('no-transform-drizzle-check-on-one-path');
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringContaining('the check on line 11 only runs on some paths to the write')]);
  });

  it('read, check and write in one serializable transaction are left alone with a note', async () => {
    const s = await lock('no-transform-drizzle-serializable');
    expect([s.changes, s.candidates]).toEqual([[], []]);
    expect(s.notes.map((n) => n.message)).toEqual([expect.stringMatching(/same serializable transaction/)]);
  });

  it('a read locked with .for(\'update\') in the same transaction is left alone with a note', async () => {
    const s = await lock('no-transform-drizzle-locked-read');
    expect([s.changes, s.candidates]).toEqual([[], []]);
    expect(s.notes.map((n) => n.message)).toEqual([expect.stringContaining("read with .for('update') in the same transaction")]);
  });

  it('a JSON merge inside a transaction that does not lock the row is reported, naming why the transaction does not help', async () => {
    const s = await lock('no-transform-drizzle-merge-in-transaction');
    expect(s.changes).toEqual([]);
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringMatching(/sets settings from profile .*neither locks the row \(\.for\('update'\)\) nor is serializable/)]);
  });

  it('an increment already done by the database and a blind write after an owner check stay silent', async () => {
    for (const name of ['no-transform-drizzle-sql-increment', 'no-transform-drizzle-blind-write']) {
      const s = await lock(name);
      expect([s.changes, s.candidates, s.notes]).toEqual([[], [], []]);
    }
  });
});
