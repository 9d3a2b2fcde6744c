import fs from 'node:fs';
import * as ts from 'typescript';
import { describe, expect, it } from 'vitest';
import {
  clientUpdatedAtOf,
  clientVersionOf,
  ConflictError,
  conflictOnMissingRow,
  conflictResponse,
  retryOnConflict,
  versionedUpdate,
} from '../../codemods/templates/optimistic-lock.ts';
import { diagnosticsOf } from './compile-in-memory.ts';

type Row = { id: number; count: number; version: number; updatedAt: Date; label: string };
type Where = Partial<Row>;
type Data = { [K in keyof Row]?: Row[K] | (Row[K] extends number ? { increment?: number; decrement?: number } : never) };

const tick = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 3));

/**
 * An in-process table with Prisma's `updateMany` semantics: every `where` field must equal, each matching row
 * is written atomically, `{ increment }` / `{ decrement }` are applied to the current value, and the result is
 * the number of rows written. A round trip of a few ms precedes each call, as with a database.
 */
class Table {
  rows = new Map<number, Row>();
  writes = 0;

  insert(row: Row) {
    this.rows.set(row.id, { ...row });
  }

  async findUnique(args: { where: { id: number } }): Promise<Row | null> {
    await tick();
    const row = this.rows.get(args.where.id);
    return row ? { ...row } : null;
  }

  async updateMany(args: { where: Where; data: Data }): Promise<{ count: number }> {
    await tick();
    let count = 0;
    for (const row of this.rows.values()) {
      const matches = Object.entries(args.where).every(([field, value]) => {
        const current = row[field as keyof Row];
        return current instanceof Date && value instanceof Date ? current.getTime() === value.getTime() : current === value;
      });
      if (!matches) continue;
      for (const [field, value] of Object.entries(args.data)) {
        const key = field as keyof Row;
        if (value && typeof value === 'object' && !(value instanceof Date)) {
          const op = value as { increment?: number; decrement?: number };
          (row[key] as number) = (row[key] as number) + (op.increment ?? 0) - (op.decrement ?? 0);
        } else {
          (row as Record<string, unknown>)[field] = value;
        }
      }
      row.updatedAt = new Date();
      count++;
      this.writes++;
    }
    return { count };
  }

  /** Prisma's plain `update`: last write wins. */
  async update(args: { where: { id: number }; data: Partial<Row> }): Promise<Row> {
    await tick();
    const row = this.rows.get(args.where.id)!;
    Object.assign(row, args.data, { updatedAt: new Date() });
    return { ...row };
  }
}

function freshTable(): Table {
  const table = new Table();
  table.insert({ id: 1, count: 0, version: 0, updatedAt: new Date(0), label: 'passport' });
  table.insert({ id: 2, count: 0, version: 0, updatedAt: new Date(0), label: 'sunscreen' });
  return table;
}

/** The route's read-modify-write, made safe. */
function guardedIncrement(table: Table, conflicts: { n: number }, attempts: number) {
  return retryOnConflict(
    async () => {
      const item = (await table.findUnique({ where: { id: 1 } }))!;
      try {
        await versionedUpdate(table, {
          where: { id: item.id },
          expected: { version: item.version },
          data: { count: item.count + 1 },
          versionField: 'version',
        });
      } catch (error) {
        if (error instanceof ConflictError) conflicts.n++;
        throw error;
      }
    },
    { attempts, baseDelayMs: 5 },
  );
}

describe('optimistic-lock template', () => {
  it('the test table shows the defect: 50 unguarded increments lose updates', async () => {
    const table = freshTable();
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const item = (await table.findUnique({ where: { id: 1 } }))!;
        await table.update({ where: { id: 1 }, data: { count: item.count + 1 } });
      }),
    );
    expect(table.rows.get(1)!.count).toBeLessThan(50);
  });

  it('50 concurrent guarded increments with enough retries: none lost, conflicts seen', async () => {
    const table = freshTable();
    const conflicts = { n: 0 };
    await Promise.all(Array.from({ length: 50 }, () => guardedIncrement(table, conflicts, 200)));
    expect(table.rows.get(1)).toMatchObject({ count: 50, version: 50 });
    expect(table.rows.get(2)).toMatchObject({ count: 0, version: 0 }); // the guard never spilled onto another row
    expect(conflicts.n).toBeGreaterThan(0);
  });

  it('with the default bound, every write is either reflected or rejected with ConflictError: lost = 0', async () => {
    const table = freshTable();
    const conflicts = { n: 0 };
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => guardedIncrement(table, conflicts, 5)));
    const acknowledged = outcomes.filter((o) => o.status === 'fulfilled').length;
    const rejected = outcomes.filter((o) => o.status === 'rejected');
    expect(rejected.every((o) => o.status === 'rejected' && o.reason instanceof ConflictError)).toBe(true);
    expect(table.rows.get(1)!.count).toBe(acknowledged);
    expect(acknowledged + rejected.length).toBe(50);
    expect(conflicts.n).toBeGreaterThan(0);
  });

  it('guards on expected alone when no versionField is given (e.g. updatedAt)', async () => {
    const table = freshTable();
    const item = (await table.findUnique({ where: { id: 2 } }))!;
    await versionedUpdate(table, { where: { id: 2 }, expected: { updatedAt: item.updatedAt }, data: { label: 'hat' } });
    await expect(
      versionedUpdate(table, { where: { id: 2 }, expected: { updatedAt: item.updatedAt }, data: { label: 'stale' } }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(table.rows.get(2)).toMatchObject({ label: 'hat', version: 0 });
    await expect(versionedUpdate(table, { where: { id: 2 }, expected: {}, data: { label: 'x' } })).rejects.toThrow(TypeError);
  });

  it('refuses an undefined key or expected value instead of writing every row that matches the rest', async () => {
    const table = freshTable();
    const before = JSON.stringify([...table.rows.values()]);
    await expect(versionedUpdate(table, { where: { id: undefined }, expected: { version: 0 }, data: { label: 'all' } })).rejects.toThrow(/`id` is undefined/);
    await expect(versionedUpdate(table, { where: { id: 1 }, expected: { version: undefined }, data: { label: 'all' } })).rejects.toThrow(/`version` is undefined/);
    expect(JSON.stringify([...table.rows.values()])).toBe(before);
  });

  it('respects the retry bound and does not retry other errors', async () => {
    let runs = 0;
    await expect(
      retryOnConflict(async () => {
        runs++;
        throw new ConflictError();
      }, { attempts: 3, baseDelayMs: 1 }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(runs).toBe(3);

    runs = 0;
    await expect(retryOnConflict(async () => {
      runs++;
      throw new ConflictError();
    })).rejects.toBeInstanceOf(ConflictError);
    expect(runs).toBe(5);

    runs = 0;
    await expect(retryOnConflict(async () => {
      runs++;
      throw new Error('P1001 database unreachable');
    })).rejects.toThrow('P1001');
    expect(runs).toBe(1);
  });

  it('answers 409 with a JSON body', async () => {
    const response = conflictResponse(new ConflictError());
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toEqual({
      error: 'The record was changed by someone else. Reload and try again.',
      code: 'CONFLICT',
    });
  });

  it('reads the version the client sent back, whatever the body is', () => {
    expect(clientVersionOf({ version: 3 })).toBe(3);
    expect(clientVersionOf({ version: '4' })).toBe(4);
    expect(clientVersionOf({ version: 1.5 })).toBeUndefined();
    expect(clientVersionOf({ version: '' })).toBeUndefined();
    expect(clientVersionOf({ text: 'no version' })).toBeUndefined();
    expect(clientVersionOf(null)).toBeUndefined();
    expect(clientVersionOf('version')).toBeUndefined();
    const form = new FormData();
    form.set('version', '7');
    expect(clientVersionOf(form)).toBe(7);
    expect(clientUpdatedAtOf({ updatedAt: '2026-01-02T03:04:05.678Z' })).toEqual(new Date('2026-01-02T03:04:05.678Z'));
    expect(clientUpdatedAtOf({ updatedAt: 'yesterday' })).toBeUndefined();
    expect(clientUpdatedAtOf({})).toBeUndefined();
  });

  // A real type check (the TypeScript compiler on the template and a caller), not expectTypeOf, which
  // `vitest run` never evaluates.
  describe('types, checked by the TypeScript compiler', () => {
    const template = fs.readFileSync(new URL('../../codemods/templates/optimistic-lock.ts', import.meta.url), 'utf8');
    // The shape Prisma 7 generates for `prisma.checklistItem.updateMany`.
    const prismaShape = `
      import { versionedUpdate } from './optimistic-lock';
      type SelectSubset<T, U> = { [K in keyof T]: K extends keyof U ? T[K] : never };
      interface PrismaPromise<T> extends Promise<T> { [Symbol.toStringTag]: 'PrismaPromise' }
      type ChecklistItemUpdateManyArgs = {
        data: { text?: string; completed?: boolean; version?: number | { increment?: number } };
        where?: { id?: string; version?: number; updatedAt?: Date };
        limit?: number;
      };
      interface ChecklistItemDelegate {
        updateMany<T extends ChecklistItemUpdateManyArgs>(args: SelectSubset<T, ChecklistItemUpdateManyArgs>): PrismaPromise<{ count: number }>;
      }
      declare const delegate: ChecklistItemDelegate;
    `;
    const check = (body: string) => diagnosticsOf(ts, { 'optimistic-lock.ts': template, 'caller.ts': prismaShape + body });

    it('accepts a delegate typed like a generated Prisma client, without any, and returns Promise<void>', () => {
      const ok = `export const done: Promise<void> = versionedUpdate(delegate, { where: { id: 'a' }, expected: { version: 1 }, data: { completed: true }, versionField: 'version' });`;
      expect(check(ok)).toEqual([]);
    });

    it('would catch a wrong use (the check can fail)', () => {
      const wrongResult = `export const n: Promise<number> = versionedUpdate(delegate, { where: { id: 'a' }, expected: { version: 1 }, data: {} });`;
      expect(check(wrongResult).map((d) => d.code)).toEqual([2322]);
      const notADelegate = `export const p = versionedUpdate({ findMany() {} }, { where: {}, expected: { version: 1 }, data: {} });`;
      expect(check(notADelegate).length).toBeGreaterThan(0);
    });
  });
});

describe('conflictOnMissingRow', () => {
  it("turns Prisma's record-not-found (P2025) of a guarded update into ConflictError and rethrows anything else as is", async () => {
    const notFound = Object.assign(new Error('Record to update not found.'), { code: 'P2025' });
    await expect(Promise.reject(notFound).catch(conflictOnMissingRow)).rejects.toBeInstanceOf(ConflictError);
    const unique = Object.assign(new Error('Unique constraint failed'), { code: 'P2002' });
    await expect(Promise.reject(unique).catch(conflictOnMissingRow)).rejects.toBe(unique);
    await expect(Promise.reject('text').catch(conflictOnMissingRow)).rejects.toBe('text');
    await expect(Promise.resolve([1, 2] as const).catch(conflictOnMissingRow)).resolves.toEqual([1, 2]);
  });
});
