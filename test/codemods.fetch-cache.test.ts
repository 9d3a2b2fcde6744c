import { describe, expect, it } from 'vitest';
import { runFixtureCase } from './codemod-fixture-harness.ts';

describe('fetch-cache warnings', () => {
  it('warns where the cached request forwards the caller’s cookie', async () => {
    const s = await runFixtureCase('fetch-cache', 'no-transform-forwarded-cookies');
    expect(s.candidates.map((c) => c.message)).toEqual([expect.stringContaining('forwards the caller’s cookie / authorization header')]);
  });

  it('stays quiet where the authorization header is the server’s own token from env (same response for everyone)', async () => {
    const s = await runFixtureCase('fetch-cache', 'no-transform-server-token');
    expect(s.candidates).toEqual([]);
  });
});
