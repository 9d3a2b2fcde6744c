import type { Scenario } from './types.ts';
import { n, waitUnlessAborted } from './measure.ts';
import { analyzeSessionIds, type IssuedId } from './session-id-analysis.ts';
import { accountAt, accountCount, type TargetConfig } from '../src/config.ts';
import { forEachConcurrent } from '../src/load/concurrency.ts';
import { CookieJar } from '../src/load/cookies.ts';
import type { HttpClient } from '../src/load/http.ts';
import { registerSecret } from '../src/redact.ts';
import { logIn } from '../src/target/login.ts';
import type { Evidence, MetricValue } from '../src/report/types.ts';

/**
 * The memo's fix 9 claims concurrent logins race into colliding session ids and "fixes" it with
 * `${Date.now()}-${randomBytes(16)}-${user.id}`. We collect session ids from concurrent logins and
 * measure them: duplicates, length, alphabet, entropy, and structure an attacker could guess.
 * The ids are secrets: registered for redaction and never written anywhere, only their statistics.
 */

interface LoginOutcome {
  status: number;
  cookies: Map<string, string>;
  userId?: string;
  /** Units: ms; from Retry-After on a 429. */
  retryAfterMs?: number;
}

/** One login's session ids by name: its cookies, or the bearer token the description says the answer carries. */
function sessionValues(jar: CookieJar, config: TargetConfig): Map<string, string> {
  const session = config.target?.session;
  if (session?.kind !== 'bearer') return cookieMap(jar);
  const sent = jar.headers()[session.header.toLowerCase()];
  if (!sent) return new Map();
  return new Map([['bearer token', session.scheme && sent.startsWith(`${session.scheme} `) ? sent.slice(session.scheme.length + 1) : sent]]);
}

/** The user id a JSON login answer names (`{ user: { id } }`), to look for in the session id. */
function answeredUserId(text: string): string | undefined {
  try {
    const id = (JSON.parse(text) as { user?: { id?: unknown } }).user?.id;
    return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
  } catch {
    return undefined; // Not JSON: no user id to look for.
  }
}

/** A login as the target description has it (its template, its session kind). */
async function describedLogin(client: HttpClient, config: TargetConfig, i: number, run: string): Promise<LoginOutcome> {
  const jar = new CookieJar();
  const attempt = await logIn(client, config, accountAt(config, i), jar, { vu: i, run, timeoutMs: config.timeouts.requestMs });
  const { res } = attempt;
  // The answer's headers are not kept by the plain request: a 429 waits the run's default.
  return { status: res.status, cookies: attempt.loggedIn ? sessionValues(jar, config) : new Map(), userId: answeredUserId(res.text) };
}

async function login(client: HttpClient, config: TargetConfig, i: number, run: string): Promise<LoginOutcome> {
  if (config.target) return describedLogin(client, config, i, run);
  const a = accountAt(config, i);
  const jar = new CookieJar();
  try {
    return await client.stream(
      config.routes.login,
      { method: 'POST', json: { email: a.email, password: a.password }, jar, timeoutMs: config.timeouts.requestMs },
      async (body, meta) => {
        const chunks: Buffer[] = [];
        for await (const c of body) chunks.push(c);
        for (const v of jar.values()) registerSecret(v);
        const cookies = cookieMap(jar);
        const userId = answeredUserId(Buffer.concat(chunks).toString('utf8'));
        const ra = Number(meta.headers['retry-after']);
        return { status: meta.status, cookies, userId, retryAfterMs: Number.isFinite(ra) && ra >= 0 ? ra * 1000 : undefined };
      },
    );
  } catch {
    return { status: 0, cookies: new Map() };
  }
}

function cookieMap(jar: CookieJar): Map<string, string> {
  const pairs = (jar.header() ?? '').split('; ').filter((kv) => kv.includes('='));
  return new Map(pairs.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

/** The session cookie: the one set on (nearly) every login, with the most distinct values. */
export function pickSessionCookie(logins: ReadonlyArray<Map<string, string>>): string | undefined {
  const values = new Map<string, Set<string>>();
  for (const c of logins) for (const [k, v] of c) values.set(k, (values.get(k) ?? new Set()).add(v));
  return [...values].sort((a, b) => b[1].size - a[1].size)[0]?.[0];
}

export const sessionId: Scenario = {
  id: 'session-id',
  title: 'Session ids from concurrent logins are unique and unguessable',
  writes: false,
  // It reuses the run's logged-in sessions as samples when there are any; it does not need one.

  async run(ctx) {
    const { client, config, signal } = ctx;
    const described = config.target;
    if (described && (described.session.kind === 'none' || described.session.kind === 'header' || !described.login)) {
      const kind = described.session.kind;
      const why = kind === 'none' || kind === 'header' ? `its sessions are not issued by a login (target.session.kind ${kind})` : 'it has no login (target.login)';
      return { metrics: {}, evidence: [], unmeasured: { verdict: 'skip', reason: `the target description says ${why}: no session ids to collect` } };
    }
    const run = Date.now().toString(36);
    const want = config.payloads.sessionIdSamples;
    const deadline = Date.now() + config.payloads.sessionIdMaxWaitMs;
    // Concurrent enough to race, not so many that a small pool's failures (another defect) eat the sample.
    const concurrency = Math.min(10, Math.max(1, ctx.users));
    const logins: Array<Map<string, string>> = [];
    const issued: Array<{ cookies: Map<string, string>; userId?: string; receivedAt: number }> = [];
    // The run's session pool came from concurrent logins too: its cookies are samples already paid for.
    for (const s of ctx.sessions.sessions) {
      if (s.email === '(cookie from config)') continue;
      const cookies = sessionValues(s.jar, config);
      if (cookies.size) issued.push({ cookies, receivedAt: 0 });
    }
    const fromPool = issued.length;
    let requests = 0;
    let limited = 0;
    let failed = 0;
    let waitedMs = 0;
    let next = 0;
    const statuses = new Map<number, number>();
    const accounts = accountCount(config);
    for (let round = 0; round < 20 && issued.length < want && !signal.aborted; round++) {
      const batch = Array.from({ length: want - issued.length }, () => next++ % accounts);
      let retryAfterMs = 0;
      let roundOk = 0;
      const stop = new AbortController();
      await forEachConcurrent(batch, concurrency, AbortSignal.any([signal, stop.signal]), async (i) => {
        const r = await login(client, config, i, run);
        requests++;
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 429) {
          limited++;
          retryAfterMs = Math.max(retryAfterMs, r.retryAfterMs ?? 60_000);
          stop.abort();
        } else if (r.status >= 200 && r.status < 300 && r.cookies.size > 0) {
          roundOk++;
          logins.push(r.cookies);
          issued.push({ cookies: r.cookies, userId: r.userId, receivedAt: Date.now() });
        } else failed++;
        ctx.progress(`${issued.length}/${want} session ids`);
      });
      if (issued.length >= want || signal.aborted) break;
      if (retryAfterMs === 0 && roundOk === 0) break;
      // Honour the limiter, within our own bound: the rest of the run still has to happen.
      const wait = retryAfterMs + 500;
      if (Date.now() + wait > deadline) break;
      ctx.progress(`login rate-limited: waiting ${Math.round(wait / 1000)} s (${issued.length}/${want} session ids)`);
      await waitUnlessAborted(wait, signal);
      waitedMs += wait;
    }

    const cookieName = pickSessionCookie(logins.length ? logins : issued.map((i) => i.cookies));
    const samples: IssuedId[] = [];
    for (const i of issued) {
      const value = cookieName ? i.cookies.get(cookieName) : undefined;
      if (value !== undefined) samples.push({ value, userId: i.userId, receivedAt: i.receivedAt });
    }
    const a = analyzeSessionIds(samples);
    const metrics: Record<string, MetricValue> = {
      sessions: a.sessions,
      sessionsWanted: want,
      sessionsFromPool: fromPool,
      loginRequests: requests,
      loginsRateLimited: limited,
      loginsFailed: failed,
      loginStatuses: Object.fromEntries([...statuses].map(([s, k]) => [s === 0 ? 'no-answer' : String(s), k])),
      waitedMs,
      duplicates: a.duplicates,
      minLength: a.minLength,
      maxLength: a.maxLength,
      alphabet: a.alphabet,
      alphabetEntropyBits: a.alphabetEntropyBits,
      empiricalEntropyBits: a.empiricalEntropyBits,
      entropyBits: a.entropyBits,
      shape: a.shape,
      commonPrefixLength: a.commonPrefixLength,
      lowVariabilityPositions: a.lowVariabilityPositions,
      timestampEmbedded: a.timestampEmbedded,
      userIdEmbedded: a.userIdEmbedded,
      monotonicSegment: a.monotonicSegment,
      structureFound: a.structure.length > 0,
    };
    if (a.sessions === 0) {
      const seen = [...statuses].map(([s, k]) => `${s === 0 ? 'no answer' : `HTTP ${s}`} ×${k}`).join(', ');
      throw new Error(`no session id collected from ${requests} logins (${seen || 'none sent'}); check credentials in --config, or wait for the login rate limit to reset`);
    }
    const evidence: Evidence[] = [];
    if (a.structure.length) {
      evidence.push({ kind: 'guessable-structure', message: `session ids have the shape ${a.shape}: ${a.structure.join('; ')}. An attacker who knows the time and a user id has only the random part left to guess.` });
    }
    if (a.duplicates) evidence.push({ kind: 'duplicate-session-ids', message: `${a.duplicates} of ${a.sessions} session ids were issued twice` });
    if (a.entropyBits < 128) evidence.push({ kind: 'low-entropy', message: `estimated ${a.entropyBits} bits of randomness per id (alphabet bound ${a.alphabetEntropyBits}, empirical ${a.empiricalEntropyBits})` });
    if (a.sessions < want) {
      evidence.push({ kind: 'sample-size', message: `collected ${a.sessions} of ${want} wanted session ids: ${limited} logins were rate-limited (HTTP 429)${waitedMs ? `, waited ${Math.round(waitedMs / 1000)} s` : ''}; raise payloads.sessionIdMaxWaitMs to collect more` });
    }
    return { metrics, evidence };
  },

  summarize(m) {
    const guess = m.structureFound ? `guessable structure ${String(m.shape)}` : `no structure (${String(m.shape)})`;
    return `${n(m, 'sessions')} session ids: ${n(m, 'duplicates')} duplicates, ~${Math.round(n(m, 'entropyBits'))} bits, ${guess}.`;
  },
};
