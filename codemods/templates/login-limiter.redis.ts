/**
 * Login attempt limiting keyed by IP + account, with a looser per-IP ceiling on failures, counted in Redis so
 * that every instance of the app shares one count (`genie-fix apply --store redis`; same exports as the
 * in-memory login-limiter). With counters in process memory, N instances allow N × 5 guesses per account per
 * window; here they allow 5, however many instances serve the requests.
 *
 * The memo's fix was wrong: a per-user key checked only after a successful login protects nothing, and a plain
 * per-IP key blocks a whole ship behind one NAT. Here the per-account key counts attempts that did not succeed:
 * each attempt is counted atomically in Redis *before* the password is checked (so parallel guesses on several
 * instances cannot all read "0 failures so far"), and a successful login deletes that count. The per-IP ceiling
 * counts failures only, after the fact, so hundreds of passengers sharing an IP log in freely.
 *
 * Redis errors — fallback policy: neither fail closed nor fail open, but fall back to a per-instance in-memory
 * counter (rate-limiter-flexible's `insuranceLimiter`, same options).
 * - Failing closed would turn a Redis outage into a login outage for every passenger: the very "everyone is
 *   blocked" failure this limiter exists to remove.
 * - Failing open would give an attacker who can slow Redis down unlimited guesses.
 * - The in-memory fallback keeps brute force bounded at (instances × 5) per account per window — exactly the
 *   in-memory store's guarantee — for as long as the outage lasts, and each Redis call costs at most
 *   GENIE_REDIS_COMMAND_TIMEOUT_MS (below). A missing REDIS_URL is a configuration error, not an
 *   outage: the first login throws with a message that says what to set.
 */
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { intFromEnv } from './env-int.js';
import { UNKNOWN_IP, accountKey, bounded, type CounterOptions, type FailureCounter, type LoginDecision, type LoginLimiterOptions } from './login-limiter-shared.js';

export { clientIp } from './login-limiter-shared.js';
export type { CounterOptions, FailureCounter, LoginDecision, LoginLimiterOptions } from './login-limiter-shared.js';
import { sharedRedis } from './redis-connection.js';

export { closeRedis } from './redis-connection.js';

/** Shared counters in Redis; on a Redis error, a per-instance in-memory count with the same options. */
export function redisCounter(o: CounterOptions): FailureCounter {
  return new RateLimiterRedis({
    storeClient: sharedRedis(),
    ...o,
    // Keys of all apps on one Redis must not collide: GENIE_REDIS_PREFIX separates them (default "genie").
    keyPrefix: `${process.env.GENIE_REDIS_PREFIX ?? 'genie'}:${o.keyPrefix}`,
    insuranceLimiter: new RateLimiterMemory(o),
  });
}

const options: LoginLimiterOptions = {
  maxFailuresPerAccount: intFromEnv('LOGIN_MAX_FAILURES_PER_ACCOUNT', 5),
  maxFailuresPerIp: intFromEnv('LOGIN_MAX_FAILURES_PER_IP', 100),
  windowSec: intFromEnv('LOGIN_FAILURE_WINDOW_SEC', 15 * 60),
  createCounter: redisCounter,
};

interface Counters {
  account: FailureCounter;
  ip: FailureCounter;
}

// Created on first use: importing this module (e.g. during `next build`) needs neither REDIS_URL nor Redis.
let counters: Counters | undefined;

function current(): Counters {
  counters ??= {
    account: options.createCounter({
      keyPrefix: 'login_fail_ip_account',
      points: options.maxFailuresPerAccount,
      duration: options.windowSec,
    }),
    ip: options.createCounter({ keyPrefix: 'login_fail_ip', points: options.maxFailuresPerIp, duration: options.windowSec }),
  };
  return counters;
}

/** Replaces limits and/or the store (tests, or another store). Counters are created again on next use. */
export function configureLoginLimiter(overrides: Partial<LoginLimiterOptions>): void {
  Object.assign(options, overrides);
  counters = undefined;
}

/** Call before checking the password; answer 429 with `Retry-After` when not allowed. */
export async function checkLoginAllowed(ip: string, account: string): Promise<LoginDecision> {
  const { account: accountCounter, ip: ipCounter } = current();
  // Without a client IP every request would share one ceiling: one attacker could lock everybody out.
  if (ip !== UNKNOWN_IP) {
    const ipRes = await ipCounter.get(bounded(ip));
    if (ipRes && ipRes.consumedPoints >= options.maxFailuresPerIp) {
      return { allowed: false, retryAfterMs: Math.max(1, ipRes.msBeforeNext), reason: 'ip' };
    }
  }
  // One atomic increment in Redis (a Lua script): the N-th concurrent attempt, on whichever instance, sees N.
  const attempt = await accountCounter.penalty(accountKey(ip, account), 1);
  if (attempt.consumedPoints > options.maxFailuresPerAccount) {
    return { allowed: false, retryAfterMs: Math.max(1, attempt.msBeforeNext), reason: 'account' };
  }
  return { allowed: true, retryAfterMs: 0 };
}

/** Call after a wrong password (or unknown account). The attempt was already counted per account by the check. */
export async function recordLoginFailure(ip: string, _account: string): Promise<void> {
  if (ip === UNKNOWN_IP) return;
  await current().ip.penalty(bounded(ip), 1);
}

/** Call after a successful login: resets this IP + account's count. The per-IP count is kept, so a sprayer
 *  cannot clear it by logging into an account of their own. */
export async function recordLoginSuccess(ip: string, account: string): Promise<void> {
  await current().account.delete(accountKey(ip, account));
}

/** Current counts (per account: attempts not followed by a success), for tests and monitoring. */
export async function loginFailureCounts(ip: string, account: string): Promise<{ account: number; ip: number }> {
  const { account: accountCounter, ip: ipCounter } = current();
  const [accountRes, ipRes] = await Promise.all([accountCounter.get(accountKey(ip, account)), ipCounter.get(bounded(ip))]);
  return { account: accountRes?.consumedPoints ?? 0, ip: ipRes?.consumedPoints ?? 0 };
}
