import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listFixtureCases, runFixture } from './codemod-fixture-harness.ts';

const cases = listFixtureCases();

describe('codemod fixtures', () => {
  it('has fixtures for every codemod, including no-transform cases', () => {
    const ids = new Set(cases.map((c) => c.id));
    for (const id of ['database-url', 'cache', 'gemini-queue', 'rate-limiter', 'stream-buffer', 'optimistic-lock', 'upload-queue', 'session-id', 'fetch-cache']) {
      expect(ids.has(id), id).toBe(true);
      expect(cases.some((c) => c.id === id && c.name.startsWith('no-transform-')), `${id} no-transform`).toBe(true);
    }
  });

  for (const c of cases) {
    it(`${c.id}/${c.name}`, async () => {
      const input = fs.readFileSync(c.inputPath, 'utf8');
      const expected = c.name.startsWith('no-transform-') && !fs.existsSync(c.outputPath) ? input : fs.readFileSync(c.outputPath, 'utf8');
      const first = await runFixture(c, input);
      expect(first.result.codemods.find((s) => s.id === c.id)?.failures).toEqual([]);
      expect(first.output).toBe(expected);
      if (c.name.startsWith('no-transform-')) expect(first.result.files.filter((f) => f.path === c.target)).toEqual([]);
      // Idempotent: the output run again changes nothing.
      const second = await runFixture(c, expected);
      expect(second.output).toBe(expected);
      expect(second.result.files.map((f) => f.path).filter((p) => p === c.target)).toEqual([]);
    });
  }
});
