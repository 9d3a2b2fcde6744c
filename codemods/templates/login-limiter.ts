/**
 * Login attempt limiting keyed by IP + account, with a looser per-IP ceiling on failures.
 * The memo's fix was wrong: a per-user key checked only after a successful login protects nothing, and a plain
 * per-IP key blocks a whole ship behind one NAT; here only failures count, so hundreds of passengers sharing an IP
 * log in freely while brute force on one account stops after 5 failures and password spraying after 100.
 *
 * Counters live in rate-limiter-flexible limiters behind the small `FailureCounter` interface, so a shared
 * store (RateLimiterRedis with the same options) can replace the in-memory one via `configureLoginLimiter`.
 * In memory, each serverless instance counts on its own: N instances allow N × 5 guesses per account per
 * window, which is why the per-account default is 5 and why a shared store is the next step.
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { intFromEnv } from './env-int.js';
import { UNKNOWN_IP, accountKey, bounded, type CounterOptions, type FailureCounter, type LoginDecision, type LoginLimiterOptions } from './login-limiter-shared.js';

export { clientIp } from './login-limiter-shared.js';
export type { CounterOptions, FailureCounter, LoginDecision, LoginLimiterOptions } from './login-limiter-shared.js';

const options: LoginLimiterOptions = {
  maxFailuresPerAccount: intFromEnv('LOGIN_MAX_FAILURES_PER_ACCOUNT', 5),
  maxFailuresPerIp: intFromEnv('LOGIN_MAX_FAILURES_PER_IP', 100),
  windowSec: intFromEnv('LOGIN_FAILURE_WINDOW_SEC', 15 * 60),
  createCounter: (o) => new RateLimiterMemory(o),
};

let counters = createCounters();

function createCounters() {
  return {
    account: options.createCounter({
      keyPrefix: 'login_fail_ip_account',
      points: options.maxFailuresPerAccount,
      duration: options.windowSec,
    }),
    ip: options.createCounter({ keyPrefix: 'login_fail_ip', points: options.maxFailuresPerIp, duration: options.windowSec }),
  };
}

/** Replaces limits and/or the store (tests, or a Redis store). Counters start empty. */
export function configureLoginLimiter(overrides: Partial<LoginLimiterOptions>): void {
  Object.assign(options, overrides);
  counters = createCounters();
  reservations.clear();
}

// Attempts that passed the check and whose outcome is not yet recorded. Without them, 100 parallel guesses
// would all pass a check that reads "0 failures so far". Per instance; entries expire in case a route never
// records an outcome (e.g. it answered 400 first).
const RESERVATION_TTL_MS = 30_000;
const reservations = new Map<string, { count: number; expiresAt: number }>();

function reservedCount(key: string, now: number): number {
  const entry = reservations.get(key);
  if (!entry) return 0;
  if (entry.expiresAt <= now) {
    reservations.delete(key);
    return 0;
  }
  return entry.count;
}

function reserve(key: string, now: number): void {
  const count = reservedCount(key, now) + 1;
  reservations.set(key, { count, expiresAt: now + RESERVATION_TTL_MS });
  // Keep the map bounded under a flood of distinct keys.
  if (reservations.size > 10_000) {
    // forEach, not for-of: apps compiled for ES5 without downlevelIteration cannot iterate a Map.
    reservations.forEach((entry, k) => {
      if (entry.expiresAt <= now) reservations.delete(k);
    });
  }
}

function releaseReservation(key: string): void {
  const entry = reservations.get(key);
  if (!entry) return;
  if (entry.count <= 1) reservations.delete(key);
  else entry.count--;
}

/** Call before checking the password; answer 429 with `Retry-After` when not allowed. */
export async function checkLoginAllowed(ip: string, account: string): Promise<LoginDecision> {
  const key = accountKey(ip, account);
  const [accountRes, ipRes] = await Promise.all([
    counters.account.get(key),
    // Without a client IP every request would share one ceiling: one attacker could lock everybody out.
    ip === UNKNOWN_IP ? Promise.resolve(null) : counters.ip.get(bounded(ip)),
  ]);
  const failures = accountRes?.consumedPoints ?? 0;
  if (accountRes && failures >= options.maxFailuresPerAccount) {
    return { allowed: false, retryAfterMs: Math.max(1, accountRes.msBeforeNext), reason: 'account' };
  }
  if (ipRes && ipRes.consumedPoints >= options.maxFailuresPerIp) {
    return { allowed: false, retryAfterMs: Math.max(1, ipRes.msBeforeNext), reason: 'ip' };
  }
  // From here to reserve() nothing awaits, so parallel checks cannot both take the last attempt.
  const now = Date.now();
  if (failures + reservedCount(key, now) >= options.maxFailuresPerAccount) {
    return { allowed: false, retryAfterMs: 1000, reason: 'account' }; // in-flight attempts decide soon
  }
  reserve(key, now);
  return { allowed: true, retryAfterMs: 0 };
}

/** Call after a wrong password (or unknown account). */
export async function recordLoginFailure(ip: string, account: string): Promise<void> {
  const key = accountKey(ip, account);
  releaseReservation(key);
  await Promise.all([
    counters.account.penalty(key, 1),
    ip === UNKNOWN_IP ? Promise.resolve() : counters.ip.penalty(bounded(ip), 1),
  ]);
}

/** Call after a successful login: resets this IP + account's failures. The per-IP count is kept, so a sprayer
 *  cannot clear it by logging into an account of their own. */
export async function recordLoginSuccess(ip: string, account: string): Promise<void> {
  const key = accountKey(ip, account);
  releaseReservation(key);
  await counters.account.delete(key);
}

/** Current failure counts, for tests and monitoring. */
export async function loginFailureCounts(ip: string, account: string): Promise<{ account: number; ip: number }> {
  const [accountRes, ipRes] = await Promise.all([counters.account.get(accountKey(ip, account)), counters.ip.get(bounded(ip))]);
  return { account: accountRes?.consumedPoints ?? 0, ip: ipRes?.consumedPoints ?? 0 };
}
