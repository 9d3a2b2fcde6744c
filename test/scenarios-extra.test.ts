/**
 * session-id against small real HTTP servers (the sample app's randomBytes(32) vs the memo's fix 9),
 * its analysis on known id shapes, and the claims table as pure data.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionId } from '../scenarios/session-id.ts';
import { analyzeSessionIds, alphabetOf } from '../scenarios/session-id-analysis.ts';
import type { ScenarioContext } from '../scenarios/types.ts';
import { scenarios } from '../scenarios/index.ts';
import { parseConfig } from '../src/config.ts';
import { judge, loadPreset } from '../src/diagnose/rules.ts';
import { HttpClient } from '../src/load/http.ts';
import { SessionPool } from '../src/load/sessions.ts';
import { claimsTable, renderClaims, changePct } from '../src/report/claims.ts';
import type { Report, ScenarioReport } from '../src/report/types.ts';
import { coreDefects } from '../src/demo/defects.ts';

type IdMaker = (userId: number) => string;
const sampleApp: IdMaker = () => randomBytes(32).toString('hex');
const memoFix9: IdMaker = (userId) => `${Date.now()}-${randomBytes(16).toString('hex')}-${userId}`;

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
});

/** A login route like the sample app's; optionally a fixed-window limiter answering 429 + Retry-After. */
async function loginServer(makeId: IdMaker, limit?: { perWindow: number; windowMs: number }): Promise<{ url: string; issued: string[] }> {
  const issued: string[] = [];
  let windowStart = Date.now();
  let count = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (limit) {
        if (Date.now() - windowStart >= limit.windowMs) {
          windowStart = Date.now();
          count = 0;
        }
        if (++count > limit.perWindow) {
          const retry = Math.ceil((windowStart + limit.windowMs - Date.now()) / 1000);
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retry) }).end('{"error":"limited"}');
          return;
        }
      }
      const { email } = JSON.parse(body) as { email: string };
      const userId = Number(/(\d+)/.exec(email)?.[1] ?? 0);
      const id = makeId(userId);
      issued.push(id);
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': `genie_session=${id}; Path=/; HttpOnly` });
      res.end(JSON.stringify({ user: { id: userId, name: 'x' } }));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, issued };
}

async function runSessionId(url: string, payloads: Record<string, number> = {}) {
  const controller = new AbortController();
  const client = new HttpClient(url, controller.signal);
  const config = parseConfig({ payloads: { sessionIdSamples: 200, sessionIdMaxWaitMs: 10_000, ...payloads } });
  const ctx: ScenarioContext = {
    baseUrl: url,
    users: 100,
    config,
    signal: AbortSignal.timeout(60_000),
    progress: () => undefined,
    client,
    sessions: new SessionPool([], 0, 'not needed'),
  };
  try {
    const outcome = await sessionId.run(ctx);
    const checks = judge('session-id', outcome.metrics, loadPreset('default'), undefined);
    return { ...outcome, passed: checks.every((c) => c.passed), checks };
  } finally {
    await client.close();
  }
}

describe('session-id scenario', () => {
  it('passes on randomBytes(32) ids from 200 concurrent logins', async () => {
    const { url, issued } = await loginServer(sampleApp);
    const r = await runSessionId(url);
    expect(r.metrics).toMatchObject({ sessions: 200, duplicates: 0, minLength: 64, maxLength: 64, alphabet: 'hex', structureFound: false, shape: '<hex×64>' });
    expect(r.metrics.entropyBits as number).toBeGreaterThan(240);
    expect(r.passed).toBe(true);
    // The ids themselves never reach the report.
    const text = JSON.stringify(r);
    for (const id of issued.slice(0, 20)) expect(text.includes(id)).toBe(false);
  });

  it("fails on the memo's fix 9: timestamp and user id found", async () => {
    const { url, issued } = await loginServer(memoFix9);
    const r = await runSessionId(url);
    expect(r.metrics).toMatchObject({ sessions: 200, duplicates: 0, timestampEmbedded: true, userIdEmbedded: true, structureFound: true });
    expect(r.metrics.shape).toBe('<timestamp>-<hex×32>-<user-id>');
    expect(r.passed).toBe(false);
    expect(r.checks.find((c) => c.metric === 'structureFound')?.passed).toBe(false);
    expect(r.evidence.some((e) => e.kind === 'guessable-structure')).toBe(true);
    expect(JSON.stringify(r).includes(issued[0]!)).toBe(false);
  });

  it('honours Retry-After from a login limiter and still collects the sample within its bound', async () => {
    const { url } = await loginServer(sampleApp, { perWindow: 80, windowMs: 1000 });
    const r = await runSessionId(url);
    expect(r.metrics.sessions).toBe(200);
    expect(r.metrics.loginsRateLimited as number).toBeGreaterThan(0);
    expect(r.metrics.waitedMs as number).toBeGreaterThan(0);
    expect(r.passed).toBe(true);
  });

  it('stops waiting at its bound and says how many it got', async () => {
    const { url } = await loginServer(sampleApp, { perWindow: 25, windowMs: 60_000 });
    const r = await runSessionId(url, { sessionIdMaxWaitMs: 0 });
    expect(r.metrics.sessions).toBe(25);
    expect(r.evidence.find((e) => e.kind === 'sample-size')?.message).toMatch(/collected 25 of 200/);
    expect(r.passed).toBe(true);
  });

  it('fails on duplicates', async () => {
    let n = 0;
    const { url } = await loginServer(() => randomBytes(32).toString('hex').slice(0, 60) + String(n++ % 50).padStart(4, '0'));
    const reused = await loginServer(() => 'f'.repeat(64));
    const dup = await runSessionId(reused.url, { sessionIdSamples: 30 });
    expect(dup.metrics.duplicates).toBe(29);
    expect(dup.passed).toBe(false);
    const ok = await runSessionId(url, { sessionIdSamples: 30 });
    expect(ok.metrics.duplicates).toBe(0);
  });
});

describe('session id analysis', () => {
  const now = Date.now();
  it('sees a counter and a short id as guessable', () => {
    const ids = Array.from({ length: 60 }, (_, i) => ({ value: `s-${1000 + i}-${randomBytes(4).toString('hex')}`, receivedAt: now + i }));
    const a = analyzeSessionIds(ids, now);
    expect(a.monotonicSegment).toBe(true);
    expect(a.entropyBits).toBeLessThan(128);
  });
  it('does not mistake random base64url ids (which contain - and _) for a layout', () => {
    const ids = Array.from({ length: 200 }, (_, i) => ({ value: randomBytes(32).toString('base64url'), userId: String(i), receivedAt: now + i }));
    const a = analyzeSessionIds(ids, now);
    expect(a.structure).toEqual([]);
    expect(a.alphabet).toBe('base64url');
    expect(a.entropyBits).toBeGreaterThan(200);
  });
  it('names alphabets', () => {
    expect(alphabetOf(['abc123'])).toBe('hex');
    expect(alphabetOf(['ab-_Z9'])).toBe('base64url');
    expect(alphabetOf(['ab+/Z9=='])).toBe('base64');
    expect(alphabetOf(['a b'])).toBe('other');
  });
});

describe('registry', () => {
  it('runs all eight, the new three before shared-ip-login, and the demo keeps the five core ones', () => {
    expect(scenarios.map((s) => s.id)).toEqual([
      'pool-exhaustion', 'gemini-429', 'lost-update', 'buffer-truncation', 'cache-effectiveness', 'upload-memory', 'session-id', 'shared-ip-login',
    ]);
    expect(coreDefects.map((d) => d.scenario)).toEqual(['pool-exhaustion', 'gemini-429', 'lost-update', 'buffer-truncation', 'shared-ip-login']);
  });
});

function scenario(id: string, metrics: ScenarioReport['metrics'], verdict: ScenarioReport['verdict'] = 'fail'): ScenarioReport {
  return { id, title: id, verdict, summary: '', metrics, thresholds: {}, evidence: [], durationMs: 1 };
}
function report(scenarios: ScenarioReport[]): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'genie-fix', version: '0' },
    target: { url: 'http://127.0.0.1:1' },
    startedAt: '2025-01-28T00:00:00Z',
    durationMs: 1,
    options: { users: 100, scenarios: scenarios.map((s) => s.id) },
    scenarios,
  };
}

describe('claims table', () => {
  const before = report([
    scenario('pool-exhaustion', { users: 100, errorRatePct: 88 }),
    scenario('gemini-429', { chats: 100, aiFailures: 70, ttftP50Ms: 1000, ttftP95Ms: 4000 }),
    scenario('lost-update', { lost: 30 }),
    scenario('buffer-truncation', { truncated: 3 }),
    scenario('cache-effectiveness', { xactPerChat: 3 }),
    scenario('upload-memory', { rssGrowthBytes: 500 * 1048576 }),
  ]);
  const after = report([
    scenario('pool-exhaustion', { users: 100, errorRatePct: 0 }, 'pass'),
    scenario('gemini-429', { chats: 100, aiFailures: 0, ttftP50Ms: 1500, ttftP95Ms: 9000 }, 'pass'),
    scenario('lost-update', { lost: 0 }, 'pass'),
    scenario('buffer-truncation', { truncated: 0 }, 'pass'),
    scenario('cache-effectiveness', { xactPerChat: 1.2 }, 'pass'),
    scenario('upload-memory', { rssGrowthBytes: 'n/a' }, 'pass'),
  ]);

  it('marks each memo claim confirmed, refuted or not measured from the numbers', () => {
    const rows = claimsTable(before, after);
    expect(rows.map((r) => [r.claim, r.status])).toEqual([
      ['100 concurrent users OK', 'confirmed'],
      ['DB queries −90 %', 'refuted'],
      ['responses +50 % faster', 'refuted'],
      ['upload memory −70 %', 'not measured'],
      ['no AI failures', 'confirmed'],
      ['no lost data', 'confirmed'],
    ]);
    expect(rows[1]).toMatchObject({ before: '3', after: '1.2', change: '−60 %' });
    expect(rows[2]?.change).toBe('p50 +50 %, p95 +125 %');
  });

  it('confirms a reduction that meets the claim and treats skipped scenarios as not measured', () => {
    const b = report([scenario('cache-effectiveness', { xactPerChat: 10 }), scenario('upload-memory', { rssGrowthBytes: 100 })]);
    const a = report([scenario('cache-effectiveness', { xactPerChat: 0.5 }, 'pass'), scenario('upload-memory', { rssGrowthBytes: 40 }, 'skip')]);
    const rows = claimsTable(b, a);
    expect(rows.find((r) => r.claim === 'DB queries −90 %')?.status).toBe('confirmed');
    expect(rows.find((r) => r.claim === 'upload memory −70 %')?.status).toBe('not measured');
    expect(rows.find((r) => r.claim === 'no lost data')?.status).toBe('not measured');
    expect(changePct(0, 5)).toBeNull();
  });

  it('renders a terminal table with one line per claim', () => {
    const text = renderClaims(claimsTable(before, after));
    const lines = text.split('\n');
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/^memo claim\s+measured\s+before\s+after\s+verdict$/);
    expect(text).toMatch(/DB queries −90 %.*3 .*1\.2 \(−60 %\).*✘ refuted/);
  });
});
