/**
 * The `--store redis` login limiter against a real redis-server: two module instances (as two app instances
 * would be) share one count per account, the API matches the in-memory template, and a Redis outage falls
 * back to per-instance counting within the command timeout instead of failing every login.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as memoryTemplate from '../../codemods/templates/login-limiter.ts';
import { startRedisServer, redisServerAvailable, type RedisServer } from './redis-server.ts';

type Limiter = typeof import('../../codemods/templates/login-limiter.redis.ts');

/** A separate module instance of a template (its own process-memory state), as another app instance has. */
async function freshImport(template: string, tag: string): Promise<unknown> {
  const url = new URL(`../../codemods/templates/${template}.ts`, import.meta.url);
  url.searchParams.set('instance', tag);
  return import(url.href);
}

const available = redisServerAvailable();
if (!available) console.warn('login-limiter.redis tests skipped: redis-server is not installed (scripts/ensure-redis.sh)');

const ATTACKER_IP = '198.51.100.9';
const SHIP_IP = '203.0.113.7';

let server: RedisServer | undefined;
let admin: Redis | undefined;
let a: Limiter;
let b: Limiter;

/** What a route does: check, then verify the password, then record the outcome. */
async function attempt(limiter: Limiter, ip: string, account: string, passwordOk: boolean) {
  const decision = await limiter.checkLoginAllowed(ip, account);
  if (!decision.allowed) return decision;
  await new Promise((resolve) => setTimeout(resolve, 2)); // the password hash takes a moment
  if (passwordOk) await limiter.recordLoginSuccess(ip, account);
  else await limiter.recordLoginFailure(ip, account);
  return decision;
}

describe.skipIf(!available)('login-limiter.redis template', () => {
  beforeAll(async () => {
    server = await startRedisServer();
    process.env.REDIS_URL = server!.url;
    admin = new Redis(server!.url);
    // Two module instances stand in for two app instances: nothing in process memory is shared between them.
    a = (await freshImport('login-limiter.redis', 'a')) as Limiter;
    b = (await freshImport('login-limiter.redis', 'b')) as Limiter;
    expect(a).not.toBe(b);
  });

  afterAll(async () => {
    await a?.closeRedis();
    await admin?.quit();
    await server?.stop();
    delete process.env.REDIS_URL;
  });

  beforeEach(async () => {
    await admin!.flushall();
    for (const limiter of [a, b]) limiter.configureLoginLimiter({ maxFailuresPerAccount: 5, maxFailuresPerIp: 100, windowSec: 900 });
  });

  it('exports everything the in-memory template exports (the codemods need no change)', () => {
    const missing = Object.keys(memoryTemplate).filter((name) => !(name in a));
    expect(missing).toEqual([]);
  });

  it('limits 30 wrong passwords alternating over two instances at 5, as one instance would', async () => {
    const outcomes: boolean[] = [];
    for (let i = 0; i < 30; i++) outcomes.push((await attempt(i % 2 ? b : a, ATTACKER_IP, 'victim@cruise.example', false)).allowed);
    expect(outcomes.filter(Boolean).length).toBe(5);
    expect(outcomes.slice(0, 5)).toEqual([true, true, true, true, true]);
    const counts = await b.loginFailureCounts(ATTACKER_IP, 'victim@cruise.example');
    expect(counts.ip).toBe(5);
    // The count lives in Redis, under the genie prefix.
    expect(await admin!.keys('genie:login_fail_ip_account*')).toHaveLength(1);
  });

  it('contrast: two instances of the in-memory template let 5 each through (10)', async () => {
    const m1 = await freshImport('login-limiter', 'm1');
    const m2 = await freshImport('login-limiter', 'm2');
    const outcomes: boolean[] = [];
    for (let i = 0; i < 30; i++) {
      const limiter = (i % 2 ? m2 : m1) as unknown as Limiter;
      outcomes.push((await attempt(limiter, ATTACKER_IP, 'victim@cruise.example', false)).allowed);
    }
    expect(outcomes.filter(Boolean).length).toBe(10);
  });

  it('lets through exactly 5 of 40 parallel guesses spread over both instances', async () => {
    const decisions = await Promise.all(
      Array.from({ length: 40 }, (_, i) => attempt(i % 2 ? b : a, ATTACKER_IP, 'victim@cruise.example', false)),
    );
    expect(decisions.filter((d) => d.allowed).length).toBe(5);
    const denied = decisions.find((d) => !d.allowed)!;
    expect(denied.reason).toBe('account');
    expect(denied.retryAfterMs).toBeGreaterThan(800_000); // the rest of the 15-minute window
  });

  it('resets the account count on a success seen by the other instance', async () => {
    for (let i = 0; i < 4; i++) await attempt(a, ATTACKER_IP, 'forgetful@cruise.example', false);
    expect((await attempt(b, ATTACKER_IP, 'forgetful@cruise.example', true)).allowed).toBe(true);
    const after: boolean[] = [];
    for (let i = 0; i < 7; i++) after.push((await attempt(i % 2 ? a : b, ATTACKER_IP, 'forgetful@cruise.example', false)).allowed);
    expect(after.filter(Boolean).length).toBe(5);
  });

  it('lets 100 passengers behind one ship IP log in at once on two instances', async () => {
    const decisions = await Promise.all(
      Array.from({ length: 100 }, (_, i) => attempt(i % 2 ? b : a, SHIP_IP, `passenger${i}@cruise.example`, true)),
    );
    expect(decisions.filter((d) => d.allowed).length).toBe(100);
  });

  it('shares the per-IP ceiling on failures across instances', async () => {
    for (const limiter of [a, b]) limiter.configureLoginLimiter({ maxFailuresPerIp: 10 });
    for (let i = 0; i < 10; i++) expect((await attempt(i % 2 ? b : a, ATTACKER_IP, `spray${i}@cruise.example`, false)).allowed).toBe(true);
    const next = await a.checkLoginAllowed(ATTACKER_IP, 'spray-next@cruise.example');
    expect(next).toMatchObject({ allowed: false, reason: 'ip' });
  });
});

describe.skipIf(!available)('login-limiter.redis when Redis fails', () => {
  let limiter: Limiter;
  let doomed: RedisServer | undefined;

  beforeAll(async () => {
    doomed = await startRedisServer();
    limiter = (await freshImport('login-limiter.redis', 'outage')) as Limiter;
  });

  afterAll(async () => {
    await limiter?.closeRedis();
    await doomed?.stop();
    delete process.env.REDIS_URL;
  });

  it('names REDIS_URL when it is missing', async () => {
    await limiter.closeRedis();
    delete process.env.REDIS_URL;
    limiter.configureLoginLimiter({});
    await expect(limiter.checkLoginAllowed(ATTACKER_IP, 'x@cruise.example')).rejects.toThrow(/REDIS_URL is not set.*--store redis/);
  });

  it('falls back to per-instance counting (still 5 per account) within the command timeout', async () => {
    process.env.REDIS_URL = doomed!.url;
    limiter.configureLoginLimiter({ maxFailuresPerAccount: 5 });
    expect((await attempt(limiter, ATTACKER_IP, 'outage@cruise.example', false)).allowed).toBe(true);
    await doomed!.stop();
    const started = Date.now();
    const outcomes: boolean[] = [];
    for (let i = 0; i < 8; i++) outcomes.push((await attempt(limiter, ATTACKER_IP, 'outage@cruise.example', false)).allowed);
    const perCallMs = (Date.now() - started) / 8;
    expect(outcomes.filter(Boolean).length).toBe(5); // the insurance counter starts empty: 5 more, then blocked
    expect(outcomes.slice(5)).toEqual([false, false, false]);
    expect(perCallMs).toBeLessThan(3000); // bounded: never a hung login
    // Legit users still log in while Redis is down.
    expect((await attempt(limiter, SHIP_IP, 'passenger@cruise.example', true)).allowed).toBe(true);
  }, 60_000);
});
