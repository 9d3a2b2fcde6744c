import { describe, expect, it } from 'vitest';
import { runFixtureCase } from './codemod-fixture-harness.ts';

describe('gemini-queue and whose key a call spends', () => {
  it('leaves an SDK call alone when the key comes from the signed-in account (per-user quotas)', async () => {
    const s = await runFixtureCase('gemini-queue', 'no-transform-caller-key');
    expect(s.changes).toEqual([]);
    expect(s.notes.map((n) => n.message)).toEqual([expect.stringContaining('its API key (account.geminiKey) comes from the caller')]);
  });

  it('leaves a fetch alone when its ?key= is taken from the request headers', async () => {
    const s = await runFixtureCase('gemini-queue', 'no-transform-header-key-fetch');
    expect(s.changes).toEqual([]);
    expect(s.notes.map((n) => n.message)).toEqual([expect.stringContaining('its API key (userKey) comes from the caller')]);
  });
});
