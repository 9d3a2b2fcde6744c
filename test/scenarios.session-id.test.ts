/**
 * The session-id scenario (scenarios/session-id.ts) against small real HTTP servers (the sample app's
 * randomBytes(32) vs the memo's fix 9), judged by the preset, and its analysis on known id shapes.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionId } from '../scenarios/session-id.ts';
import { analyzeSessionIds, alphabetOf } from '../scenarios/session-id-analysis.ts';
import type { ScenarioContext } from '../scenarios/types.ts';
import { parseConfig } from '../src/config.ts';
import { judge, loadPreset } from '../src/diagnose/rules.ts';
import { HttpClient } from '../src/load/http.ts';
import { SessionPool } from '../src/load/sessions.ts';

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

/** An app of another shape: POST /api/v1/sign-in with { login, secret }, the session a bearer token in the JSON answer. */
async function tokenServer(makeId: IdMaker): Promise<string> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url !== '/api/v1/sign-in') return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      const { login } = JSON.parse(body) as { login: string };
      const userId = Number(/(\d+)/.exec(login)?.[1] ?? 0);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ auth: { token: makeId(userId) }, user: { id: userId } }));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const DESCRIBED = {
  version: 1,
  target: {
    login: { method: 'POST', path: '/api/v1/sign-in', json: { login: '{{account.id}}', secret: '{{account.password}}' } },
    session: { kind: 'bearer', token: '/auth/token', header: 'authorization', scheme: 'Bearer' },
  },
};

async function runSessionId(url: string, payloads: Record<string, number> = {}, described: object = {}) {
  const controller = new AbortController();
  const client = new HttpClient(url, controller.signal);
  const config = parseConfig({ ...described, payloads: { sessionIdSamples: 200, sessionIdMaxWaitMs: 10_000, ...payloads } });
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

  it("logs in as the target description says and measures its bearer tokens: the memo's fix 9 fails there too", async () => {
    const good = await runSessionId(await tokenServer(sampleApp), {}, DESCRIBED);
    expect(good.metrics.sessions).toBe(200);
    expect(good.passed).toBe(true);
    const bad = await runSessionId(await tokenServer(memoFix9), {}, DESCRIBED);
    expect(bad.metrics).toMatchObject({ sessions: 200, timestampEmbedded: true, userIdEmbedded: true });
    expect(bad.passed).toBe(false);
  });

  it('a description whose app has no login session is skipped with the reason', async () => {
    const outcome = await runSessionId(await tokenServer(sampleApp), {}, { version: 1, target: { session: { kind: 'none' } } });
    expect(outcome.unmeasured).toEqual({ verdict: 'skip', reason: expect.stringContaining('target.session.kind none') });
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
