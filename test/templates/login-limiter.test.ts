import { RateLimiterMemory } from 'rate-limiter-flexible';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  checkLoginAllowed,
  clientIp,
  configureLoginLimiter,
  loginFailureCounts,
  recordLoginFailure,
  recordLoginSuccess,
} from '../../codemods/templates/login-limiter.ts';
import type { FailureCounter } from '../../codemods/templates/login-limiter.ts';

const SHIP_IP = '203.0.113.7';
const DEFAULTS = {
  maxFailuresPerAccount: 10,
  maxFailuresPerIp: 100,
  windowSec: 900,
  createCounter: (o: { keyPrefix: string; points: number; duration: number }): FailureCounter => new RateLimiterMemory(o),
};

/** What a route does: check, then verify the password, then record the outcome. */
async function attempt(ip: string, account: string, passwordOk: boolean) {
  const decision = await checkLoginAllowed(ip, account);
  if (!decision.allowed) return decision;
  await new Promise((resolve) => setTimeout(resolve, 1)); // the password hash takes a moment
  if (passwordOk) await recordLoginSuccess(ip, account);
  else await recordLoginFailure(ip, account);
  return decision;
}

beforeEach(() => configureLoginLimiter(DEFAULTS));

describe('login limiter template', () => {
  it('lets 100 distinct passengers behind one ship IP log in at once, twice over', async () => {
    for (let round = 0; round < 2; round++) {
      const decisions = await Promise.all(
        Array.from({ length: 100 }, (_, i) => attempt(SHIP_IP, `passenger${i}@cruise.example`, true)),
      );
      expect(decisions.filter((d) => d.allowed).length).toBe(100);
    }
    expect((await loginFailureCounts(SHIP_IP, 'passenger0@cruise.example')).ip).toBe(0);
  });

  it('blocks the 11th of 30 wrong passwords on one account, with a retry delay, and only that account', async () => {
    const results = [];
    for (let i = 0; i < 30; i++) results.push(await attempt(SHIP_IP, 'Victim@Cruise.example ', false));
    expect(results.slice(0, 10).every((r) => r.allowed)).toBe(true);
    for (const blocked of results.slice(10)) {
      expect(blocked).toMatchObject({ allowed: false, reason: 'account' });
      expect(blocked.retryAfterMs).toBeGreaterThan(0);
      expect(blocked.retryAfterMs).toBeLessThanOrEqual(900_000);
    }
    // Normalised: the same account however it is typed; another account on the same IP is unaffected.
    expect((await checkLoginAllowed(SHIP_IP, 'victim@cruise.example')).allowed).toBe(false);
    expect((await checkLoginAllowed(SHIP_IP, 'other@cruise.example')).allowed).toBe(true);
    expect((await checkLoginAllowed('198.51.100.1', 'victim@cruise.example')).allowed).toBe(true);
  });

  it('stops a parallel burst on one account at exactly the limit', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, () => attempt(SHIP_IP, 'victim@x', false)));
    expect(results.filter((r) => r.allowed).length).toBe(10);
    expect((await loginFailureCounts(SHIP_IP, 'victim@x')).account).toBe(10);
  });

  it('resets the IP + account counter on success', async () => {
    for (let i = 0; i < 9; i++) await attempt(SHIP_IP, 'typo@x', false);
    await attempt(SHIP_IP, 'typo@x', true);
    expect(await loginFailureCounts(SHIP_IP, 'typo@x')).toEqual({ account: 0, ip: 9 });
    for (let i = 0; i < 9; i++) expect((await attempt(SHIP_IP, 'typo@x', false)).allowed).toBe(true);
  });

  it('stops password spraying from one IP at the per-IP ceiling, without touching other IPs', async () => {
    const sprayed = [];
    for (let i = 0; i < 120; i++) sprayed.push(await attempt(SHIP_IP, `target${i}@x`, false));
    expect(sprayed.slice(0, 100).every((d) => d.allowed)).toBe(true);
    expect(sprayed.slice(100).every((d) => !d.allowed && d.reason === 'ip' && d.retryAfterMs > 0)).toBe(true);
    expect((await checkLoginAllowed('198.51.100.1', 'target5@x')).allowed).toBe(true);
  });

  it('counts 100 parallel failures on one key exactly', async () => {
    await Promise.all(Array.from({ length: 100 }, () => recordLoginFailure(SHIP_IP, 'victim@x')));
    expect(await loginFailureCounts(SHIP_IP, 'victim@x')).toEqual({ account: 100, ip: 100 });
  });

  it('reads the limits from configureLoginLimiter and keeps keys bounded', async () => {
    configureLoginLimiter({ ...DEFAULTS, maxFailuresPerAccount: 2 });
    const huge = `${'a'.repeat(1_000_000)}@x`;
    await recordLoginFailure(SHIP_IP, huge);
    await recordLoginFailure(SHIP_IP, huge);
    expect(await checkLoginAllowed(SHIP_IP, huge)).toMatchObject({ allowed: false, reason: 'account' });
  });

  it('takes the client IP from x-forwarded-for, then x-real-ip', () => {
    expect(clientIp(new Headers({ 'x-forwarded-for': ' 198.51.100.9 , 10.0.0.1', 'x-real-ip': '10.0.0.2' }))).toBe('198.51.100.9');
    expect(clientIp(new Headers({ 'x-real-ip': '2001:db8::1' }))).toBe('2001:db8::1');
    expect(clientIp(new Headers())).toBe('unknown');
  });
});
