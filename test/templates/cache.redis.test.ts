/**
 * The `--store redis` cache against a real redis-server: a value loaded in one process is served to another
 * without running its loader, invalidation reaches the shared copy, keys stay bounded, and a Redis outage falls
 * through to the loader.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import * as memoryTemplate from '../../codemods/templates/cache.ts';
import { redisServerAvailable, startRedisServer, type RedisServer } from './redis-server.ts';

type Cache = typeof import('../../codemods/templates/cache.redis.ts');

/** A separate module instance of a template (its own process-memory state), as another app instance has. */
async function freshImport(template: string, tag: string): Promise<unknown> {
  const url = new URL(`../../codemods/templates/${template}.ts`, import.meta.url);
  url.searchParams.set('instance', tag);
  return import(url.href);
}

const available = redisServerAvailable();
if (!available) console.warn('cache.redis tests skipped: redis-server is not installed (scripts/ensure-redis.sh)');

const templateUrl = new URL('../../codemods/templates/cache.redis.ts', import.meta.url).href;
const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** Another app instance: a separate Node process that calls cached(key) once and reports what it got. */
async function otherProcess(redisUrl: string, key: string, loaded: unknown): Promise<{ value: unknown; loads: number; isDate: boolean }> {
  const script = `
    const { cached, closeRedis } = await import(${JSON.stringify(templateUrl)});
    let loads = 0;
    const value = await cached(${JSON.stringify(key)}, 60000, async () => { loads++; return { ...${JSON.stringify(loaded)}, at: new Date('2025-01-28T00:00:00Z') }; });
    await closeRedis();
    console.log(JSON.stringify({ value, loads, isDate: value.at instanceof Date }));
  `;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, REDIS_URL: redisUrl },
    timeout: 30_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { value: unknown; loads: number; isDate: boolean };
}

let server: RedisServer | undefined;
let admin: Redis | undefined;
let cache: Cache;

describe.skipIf(!available)('cache.redis template', () => {
  beforeAll(async () => {
    server = await startRedisServer();
    process.env.REDIS_URL = server!.url;
    admin = new Redis(server!.url);
    cache = (await import('../../codemods/templates/cache.redis.ts')) as Cache;
  });

  afterAll(async () => {
    await cache?.closeRedis();
    await admin?.quit();
    await server?.stop();
    delete process.env.REDIS_URL;
  });

  beforeEach(async () => {
    await admin!.flushall(); // in-process entries need no reset: each test uses its own keys
  });

  it('exports everything the in-memory template exports (the codemods need no change)', () => {
    expect(Object.keys(memoryTemplate).filter((name) => !(name in cache))).toEqual([]);
  });

  it('serves a value loaded by another process without running the loader, Dates intact', async () => {
    const first = await otherProcess(server!.url, 'products:popular', { names: ['Alaska', 'Fjords'] });
    expect(first.loads).toBe(1);
    expect(first.isDate).toBe(true);
    const load = vi.fn(async () => ({ names: ['loaded here'], at: new Date(0) }));
    const value = await cache.cached('products:popular', 60_000, load);
    expect(load).not.toHaveBeenCalled();
    expect(value.names).toEqual(['Alaska', 'Fjords']);
    expect(value.at).toBeInstanceOf(Date);
    expect(value.at.toISOString()).toBe('2025-01-28T00:00:00.000Z');
    // And the other way round: a second process reads what the first stored.
    expect((await otherProcess(server!.url, 'products:popular', { names: ['never'] })).loads).toBe(0);
    const ttl = await admin!.pttl('genie:cache:products:popular');
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  }, 60_000);

  it('runs one load for 50 concurrent misses and shares it through Redis', async () => {
    let loads = 0;
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        cache.cached('rag:q1', 30_000, async () => {
          loads++;
          await new Promise((r) => setTimeout(r, 20));
          return ['doc-1', 'doc-2'];
        }),
      ),
    );
    expect(loads).toBe(1);
    expect(new Set(results.map((r) => r.join()))).toEqual(new Set(['doc-1,doc-2']));
    expect(JSON.parse((await admin!.get('genie:cache:rag:q1'))!)).toEqual(['doc-1', 'doc-2']);
  });

  it('invalidate drops the shared copies on a part boundary', async () => {
    for (const key of ['profile:42', 'profile:42:settings', 'profile:420']) await cache.cached(key, 60_000, async () => ({ key }));
    await cache.invalidate('profile:42');
    expect((await admin!.keys('genie:cache:*')).sort()).toEqual(['genie:cache:profile:420']);
    const load = vi.fn(async () => ({ key: 'fresh' }));
    expect(await cache.cached('profile:42', 60_000, load)).toEqual({ key: 'fresh' });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('keeps Redis keys bounded for huge keys and never caches a rejected load', async () => {
    const huge = `rag:${'배'.repeat(10_000)}`;
    await cache.cached(huge, 60_000, async () => 'answer');
    const keys = await admin!.keys('genie:cache:*');
    expect(keys).toHaveLength(1);
    expect(keys[0]!.length).toBeLessThanOrEqual('genie:cache:'.length + 50);
    await expect(cache.cached('flaky', 60_000, async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await admin!.exists('genie:cache:flaky')).toBe(0);
    expect(await cache.cached('flaky', 60_000, async () => 'recovered')).toBe('recovered');
  });
});

describe.skipIf(!available)('cache.redis when Redis fails', () => {
  let doomed: RedisServer | undefined;
  let outageCache: Cache;

  beforeAll(async () => {
    doomed = await startRedisServer();
    outageCache = (await freshImport('cache.redis', 'outage')) as Cache;
  });

  afterAll(async () => {
    await outageCache?.closeRedis();
    await doomed?.stop();
    delete process.env.REDIS_URL;
  });

  it('falls through to the loader when Redis is down, within the command timeout', async () => {
    await outageCache.closeRedis();
    process.env.REDIS_URL = doomed!.url;
    expect(await outageCache.cached('warm', 60_000, async () => 'v1')).toBe('v1');
    await doomed!.stop();
    const started = Date.now();
    const value = await outageCache.cached('cold', 60_000, async () => 'from the database');
    expect(value).toBe('from the database');
    expect(Date.now() - started).toBeLessThan(3000);
  }, 30_000);

  it('says once that REDIS_URL is missing and still serves from the loader', async () => {
    await outageCache.closeRedis();
    delete process.env.REDIS_URL;
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await outageCache.cached('a-key', 60_000, async () => 1)).toBe(1);
      expect(await outageCache.cached('b-key', 60_000, async () => 2)).toBe(2);
      expect(errors).toHaveBeenCalledTimes(1);
      expect(String(errors.mock.calls[0]![0])).toMatch(/REDIS_URL is not set/);
    } finally {
      errors.mockRestore();
    }
  });
});
