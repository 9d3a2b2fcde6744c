import { accountAt, accountCount, type TargetConfig } from '../config.ts';
import { registerSecret } from '../redact.ts';
import { headerSessionJar, logIn } from '../target/login.ts';
import { forEachConcurrent } from './concurrency.ts';
import { CookieJar } from './cookies.ts';
import { isHtml, type HttpClient } from './http.ts';

export interface Session {
  /** Which account; never the password. */
  email: string;
  jar: CookieJar;
}

/**
 * Sessions logged in once per run and shared by the scenarios. The target's login limiter is keyed
 * by IP, so logging in per virtual user would spend the budget the shared-ip-login scenario measures;
 * we stop at the first 429 and keep what we have.
 */
export class SessionPool {
  constructor(
    readonly sessions: Session[],
    /** Login requests this pool spent (they count against the target's per-IP budget). */
    readonly loginsSpent: number,
    /** Why the pool is smaller than asked, or empty. */
    readonly note: string,
  ) {}

  get size(): number {
    return this.sessions.length;
  }

  /** Round-robin: virtual user i gets session i mod size. */
  get(i: number): Session {
    const s = this.sessions[i % this.sessions.length];
    if (!s) throw new Error('session pool is empty');
    return s;
  }
}

/**
 * Logins tried before giving up when not one succeeded and all failed the same way: the rest would
 * fail that way too, and against a slow target each costs seconds.
 */
export function sameFailureBudget(concurrency: number): number {
  return Math.max(8, 2 * concurrency);
}

export async function buildSessionPool(
  client: HttpClient,
  config: TargetConfig,
  want: number,
  signal: AbortSignal,
  /** After each login request: how many were tried of how many planned. */
  onProgress?: (tried: number, total: number) => void,
): Promise<SessionPool> {
  const premade = headerSessionJar(config);
  if (premade) return new SessionPool([{ email: '(header from the environment)', jar: premade }], 0, 'using the pre-made session header the target description names');
  if (config.credentials.cookie) {
    const jar = CookieJar.fromHeader(config.credentials.cookie);
    for (const v of jar.values()) registerSecret(v);
    return new SessionPool([{ email: '(cookie from config)', jar }], 0, 'using the cookie from the config');
  }
  const count = Math.min(want, accountCount(config));
  const sessions: Session[] = [];
  let spent = 0;
  let limited = 0;
  let tried = 0;
  let uniform = false;
  const budget = sameFailureBudget(config.payloads.loginConcurrency);
  const failures = new Map<string, number>();
  const stop = new AbortController();
  const both = AbortSignal.any([signal, stop.signal]);
  const indexes = Array.from({ length: count }, (_, i) => i);
  const runId = Date.now().toString(36);
  await forEachConcurrent(indexes, config.payloads.loginConcurrency, both, async (i) => {
    const account = accountAt(config, i);
    const jar = new CookieJar();
    spent++;
    const { res, loggedIn, problem } = await logIn(client, config, account, jar, { vu: i, run: runId, timeoutMs: config.timeouts.requestMs });
    onProgress?.(++tried, count);
    if (res.status === 429) {
      limited++;
      stop.abort();
      return;
    }
    if (loggedIn) {
      sessions.push({ email: account.email, jar });
      return;
    }
    const key = problem ?? (res.status === 0 ? `${res.errorClass}` : isHtml(res) ? `HTML ${res.status}` : `HTTP ${res.status}`);
    failures.set(key, (failures.get(key) ?? 0) + 1);
    if (sessions.length === 0 && failures.size === 1 && tried >= budget && tried < count) {
      uniform = true;
      stop.abort();
    }
  });
  const parts = [`${sessions.length} of ${count} accounts logged in with ${spent} login requests`];
  if (limited) parts.push(`stopped at the first HTTP 429 (login rate limit)`);
  if (uniform) parts.push(`stopped early: every login failed the same way`);
  if (failures.size) parts.push(`failures: ${[...failures].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  return new SessionPool(sessions, spent, parts.join('; '));
}

/** The explanation a scenario reports when it needs a session and none could be made. */
export function noSessionMessage(pool: SessionPool): string {
  return (
    `no logged-in session: ${pool.note}. The target's login is rate-limited or the accounts do not match; ` +
    `wait a minute, or pass a session cookie in --config as {"credentials":{"cookie":"session=…"}}, ` +
    `or name the accounts with --accounts <file> (or credentials.accounts / credentials.list)`
  );
}
