/**
 * `apply --store redis` end to end: the sample app patched with `--only rate-limiter --store redis` runs as two
 * `next start` instances behind the lab's round-robin proxy, with one real redis-server. Thirty wrong passwords
 * on one account, alternating between the instances, are limited at the per-account limit (5) — exactly as with
 * one instance. With GENIE_REDIS_LAB_MEMORY=1 the same copy patched with the in-memory store is shown letting
 * through 5 per instance (10); measured here: redis 5 × 401 + 25 × 429, memory 10 × 401 + 20 × 429.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAppDir } from '../src/lab/app.ts';
import { copyAppForPatching, labDown, labUp, type LabInfo } from '../src/lab/index.ts';
import { redisServerAvailable, startRedisServer, type RedisServer } from './templates/redis-server.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const run = promisify(execFile);
const available = redisServerAvailable();
if (!available) console.warn('redis-lab test skipped: redis-server is not installed (scripts/ensure-redis.sh)');

const PER_ACCOUNT_LIMIT = 5;
const ATTEMPTS = 30;

const labDirs: string[] = [];
const copies: string[] = [];
let redisServer: RedisServer | undefined;

async function patchedCopy(store: 'memory' | 'redis'): Promise<string> {
  const copy = await copyAppForPatching(defaultAppDir(), `redis-lab-${store}`);
  copies.push(copy);
  // The real CLI, as a user runs it (`--force`: the copy lives in the repository's ignored .genie-lab folder).
  const { stdout } = await run(
    process.execPath,
    ['bin/genie-fix.js', 'apply', copy, '--write', '--force', '--no-typecheck', '--store', store, '--only', 'rate-limiter'],
    { cwd: root, timeout: 120_000 },
  );
  expect(stdout).toMatch(/rate-limiter\s+changed/);
  const template = readFileSync(join(copy, 'lib/genie/login-limiter.ts'), 'utf8');
  // The Redis variant keeps its connection in a sibling module, copied beside it.
  expect(template.includes("from './redis-connection'")).toBe(store === 'redis');
  if (store === 'redis') expect(readFileSync(join(copy, 'lib/genie/redis-connection.ts'), 'utf8')).toContain("from 'ioredis'");
  if (store === 'redis') expect(stdout).toContain('set REDIS_URL');
  return copy;
}

/** 30 wrong passwords on one account through the round-robin proxy, one after another: status counts. */
async function bruteForce(lab: LabInfo): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  for (let i = 0; i < ATTEMPTS; i++) {
    const res = await fetch(`${lab.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.23' },
      body: JSON.stringify({ email: lab.testUser.email, password: `wrong-${i}` }),
      signal: AbortSignal.timeout(15_000),
    });
    await res.arrayBuffer();
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  }
  return statuses;
}

/** Requests the round-robin proxy sent to each instance (the lab daemon's stats endpoint). */
async function perInstanceRequests(lab: LabInfo): Promise<number[]> {
  const stats = (await (await fetch(lab.statsUrl!)).json()) as { proxy: { perTarget: number[] } };
  return stats.proxy.perTarget;
}

async function withLab<T>(app: string, env: Record<string, string>, body: (lab: LabInfo) => Promise<T>): Promise<T> {
  const labDir = mkdtempSync(join(tmpdir(), 'genie-redis-lab-'));
  labDirs.push(labDir);
  const lab = await labUp({ app, instances: 2, labDir, env });
  try {
    return await body(lab);
  } finally {
    await labDown({ labDir }).catch(() => undefined);
  }
}

describe.skipIf(!available)('apply --store redis on the lab (2 instances)', () => {
  beforeAll(async () => {
    redisServer = await startRedisServer();
  });

  afterAll(async () => {
    for (const dir of labDirs) {
      await labDown({ labDir: dir }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
    for (const copy of copies) rmSync(copy, { recursive: true, force: true });
    await redisServer?.stop();
  }, 120_000);

  it('limits brute force on one account at 5 across both instances, as one instance would', async () => {
    const started = Date.now();
    const copy = await patchedCopy('redis');
    const shared = await withLab(copy, { REDIS_URL: redisServer!.url }, async (lab) => {
      const statuses = await bruteForce(lab);
      return { statuses, perInstance: await perInstanceRequests(lab) };
    });
    console.log(`redis store, 2 instances: ${JSON.stringify(shared)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(shared.statuses[401]).toBe(PER_ACCOUNT_LIMIT);
    expect(shared.statuses[429]).toBe(ATTEMPTS - PER_ACCOUNT_LIMIT);
    // Both instances answered: the limit held across them, not because one instance saw everything.
    expect(shared.perInstance.filter((n) => n >= ATTEMPTS / 2 - 1).length).toBe(2);
  }, 300_000);

  // A second `next build` doubles this test's time (about 6 min for both on a busy 2-core machine), so the
  // in-memory contrast runs on request; test/templates/login-limiter.redis.test.ts shows it on every run
  // with two module instances of the in-memory template.
  it.runIf(process.env.GENIE_REDIS_LAB_MEMORY === '1')('lets 5 per instance through with the memory store (10 on 2 instances)', async () => {
    const copy = await patchedCopy('memory');
    const perInstance = await withLab(copy, {}, (lab) => bruteForce(lab));
    console.log(`memory store, 2 instances: ${JSON.stringify(perInstance)}`);
    expect(perInstance[401]).toBe(2 * PER_ACCOUNT_LIMIT);
    expect(perInstance[429]).toBe(ATTEMPTS - 2 * PER_ACCOUNT_LIMIT);
  }, 300_000);
});
