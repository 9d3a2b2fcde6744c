/** scenarios/read-requests: which reads pool-exhaustion sends, from the target description or the sample's routes. */
import { describe, expect, it } from 'vitest';
import { readRequests } from '../scenarios/read-requests.ts';
import { parseConfig } from '../src/config.ts';

describe('readRequests', () => {
  it("without a target description: the sample app's three GET routes", () => {
    const reads = readRequests(parseConfig({}));
    if ('skip' in reads) throw new Error(reads.skip);
    expect(reads.labels).toEqual(['GET /api/user/profile', 'GET /api/trips/active', 'GET /api/checklist']);
    expect(reads.calls(3).map((c) => c.path)).toEqual(['/api/user/profile', '/api/trips/active', '/api/checklist']);
  });

  it("with a description: its reads, each user's placeholders filled, body and headers included", () => {
    const config = parseConfig({
      version: 1,
      target: {
        session: { kind: 'none' },
        reads: [{ path: '/api/boards' }, { method: 'POST', path: '/api/search/{{vu}}', json: { q: 'user {{vu}}' }, headers: { 'x-run': '{{run}}' } }],
      },
    });
    const reads = readRequests(config);
    if ('skip' in reads) throw new Error(reads.skip);
    expect(reads.labels).toEqual(['GET /api/boards', 'POST /api/search/{{vu}}']);
    const [plain, search] = reads.calls(7);
    expect(plain).toMatchObject({ path: '/api/boards', request: { method: 'GET' } });
    expect(search).toMatchObject({ path: '/api/search/7', request: { method: 'POST', json: { q: 'user 7' } } });
    expect(search!.request.headers!['x-run']).toMatch(/^[0-9a-f]{8}$/);
  });

  it("a description without reads is skipped with the reason, never the sample's routes", () => {
    const reads = readRequests(parseConfig({ version: 1, target: { session: { kind: 'none' } } }));
    expect(reads).toEqual({ skip: expect.stringContaining('names no database-backed read (target.reads)') });
  });
});
