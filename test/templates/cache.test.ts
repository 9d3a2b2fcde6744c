import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type CacheModule = typeof import('../../codemods/templates/cache.ts');

// The bound is read from the environment at module load, so each test gets a fresh module.
async function loadCache(maxEntries?: number): Promise<CacheModule> {
  vi.resetModules();
  if (maxEntries === undefined) delete process.env.GENIE_CACHE_MAX_ENTRIES;
  else process.env.GENIE_CACHE_MAX_ENTRIES = String(maxEntries);
  return import('../../codemods/templates/cache.ts');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('cache template', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.GENIE_CACHE_MAX_ENTRIES;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.GENIE_CACHE_MAX_ENTRIES;
    else process.env.GENIE_CACHE_MAX_ENTRIES = saved;
  });

  it('stays within its entry bound over 100 000 distinct keys (default 1000)', async () => {
    const { cached, cacheStats } = await loadCache();
    for (let i = 0; i < 100_000; i++) await cached(`q:${i}`, 60_000, async () => i);
    expect(cacheStats().max).toBe(1000);
    expect(cacheStats().size).toBeLessThanOrEqual(1000);
    expect(cacheStats().size).toBeGreaterThan(0);
    expect(cacheStats().loading).toBe(0);
  });

  it('honours GENIE_CACHE_MAX_ENTRIES and evicts the least recently used', async () => {
    const { cached, cacheStats } = await loadCache(3);
    let loads = 0;
    const load = (v: string) => async () => {
      loads++;
      return v;
    };
    await cached('a', 60_000, load('a'));
    await cached('b', 60_000, load('b'));
    await cached('c', 60_000, load('c'));
    await cached('a', 60_000, load('a')); // touch a: b is now the oldest
    await cached('d', 60_000, load('d'));
    expect(cacheStats().size).toBe(3);
    expect(loads).toBe(4);
    await cached('a', 60_000, load('a'));
    expect(loads).toBe(4);
    await cached('b', 60_000, load('b'));
    expect(loads).toBe(5);
  });

  it('runs one load per key under a 100-way burst and gives everyone the same value', async () => {
    const { cached } = await loadCache();
    const calls = new Map<string, number>();
    const load = (key: string) => async () => {
      calls.set(key, (calls.get(key) ?? 0) + 1);
      await sleep(20);
      return { key, at: Math.random() };
    };
    const keys = ['rag:a', 'rag:b', 'products'];
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => cached(keys[i % 3]!, 60_000, load(keys[i % 3]!))),
    );
    expect(Object.fromEntries(calls)).toEqual({ 'rag:a': 1, 'rag:b': 1, products: 1 });
    for (let i = 0; i < results.length; i++) expect(results[i]).toBe(results[i % 3]);
  });

  it('expires an entry after its own TTL', async () => {
    const { cached } = await loadCache();
    let loads = 0;
    const load = async () => ++loads;
    expect(await cached('short', 40, load)).toBe(1);
    expect(await cached('long', 60_000, load)).toBe(2);
    expect(await cached('short', 40, load)).toBe(1);
    await sleep(80);
    expect(await cached('short', 40, load)).toBe(3);
    expect(await cached('long', 60_000, load)).toBe(2);
  });

  it('does not cache a failed load, and every waiter of the failed flight sees the error', async () => {
    const { cached, cacheStats } = await loadCache();
    let attempt = 0;
    const load = async () => {
      attempt++;
      await sleep(10);
      if (attempt === 1) throw new Error('database down');
      return 'ok';
    };
    const burst = await Promise.allSettled(Array.from({ length: 10 }, () => cached('flaky', 60_000, load)));
    expect(burst.every((r) => r.status === 'rejected')).toBe(true);
    expect(attempt).toBe(1);
    expect(cacheStats().loading).toBe(0);
    expect(await cached('flaky', 60_000, load)).toBe('ok');
    expect(attempt).toBe(2);
  });

  it('caches null as a hit', async () => {
    const { cached } = await loadCache();
    let loads = 0;
    const load = async () => {
      loads++;
      return null;
    };
    expect(await cached('nothing', 60_000, load)).toBeNull();
    expect(await cached('nothing', 60_000, load)).toBeNull();
    expect(loads).toBe(1);
  });

  it('invalidates on part boundaries and keeps an in-flight stale load from writing back', async () => {
    const { cached, cacheKey, invalidate } = await loadCache();
    let version = 1;
    const load = async () => version;
    await cached(cacheKey('profile', 42), 60_000, load);
    await cached(cacheKey('profile', 420), 60_000, load);
    version = 2;
    invalidate(cacheKey('profile', 42));
    expect(await cached(cacheKey('profile', 42), 60_000, load)).toBe(2);
    expect(await cached(cacheKey('profile', 420), 60_000, load)).toBe(1);

    let release!: () => void;
    const slow = cached('rag:x', 60_000, () => new Promise<number>((r) => (release = () => r(version))));
    invalidate('rag:');
    version = 3;
    release();
    expect(await slow).toBe(3);
    version = 4;
    expect(await cached('rag:x', 60_000, load)).toBe(4);
  });

  it('builds keys of bounded length that still tell inputs apart', async () => {
    const { cacheKey } = await loadCache();
    const question = 'x'.repeat(10_000);
    expect(cacheKey('rag', question).length).toBeLessThanOrEqual(256);
    expect(cacheKey('rag', question)).not.toBe(cacheKey('rag', `${question}y`));
    expect(cacheKey('rag', question)).toBe(cacheKey('rag', 'x'.repeat(10_000)));
    const many = Array.from({ length: 500 }, (_, i) => `part${i}`);
    expect(cacheKey(...many).length).toBeLessThanOrEqual(256);
    expect(cacheKey(...many).startsWith('part0:')).toBe(true);
    expect(cacheKey('a:b')).not.toBe(cacheKey('a', 'b'));
    expect(cacheKey('products', { limit: 5 }, 7, null)).toBe('products:{"limit"%3A5}:7:null');
  });
});
