/**
 * Bounded, single-flight TTL cache for hot reads (RAG results, popular products, per-user profiles).
 * The memo's fix was wrong: its Map cache had no size bound and keyed entries by raw user text, so memory grew
 * without limit; this one is an LRU capped in entries, keys are hashed, and concurrent misses share one load.
 *
 * Per-user data must carry the user id in its key (`cacheKey('profile', userId)`): a global key would serve
 * one user's data to another.
 */
import { LocalCache } from './cache-local.js';
import { intFromEnv } from './env-int.js';

export { cacheKey } from './cache-key.js';

/** Maximum number of entries kept; the least recently used entry is evicted past it. */
const MAX_ENTRIES = intFromEnv('GENIE_CACHE_MAX_ENTRIES', 1000);

const local = new LocalCache(MAX_ENTRIES);

/**
 * Returns the cached value for `key`, or runs `load` once for all concurrent callers of that key and caches
 * its result for `ttlMs` milliseconds. A rejected load is not cached: the next call tries again.
 */
export function cached<T extends {} | null>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
  return local.get(key, async (keep) => {
    const value = await load();
    keep(value, ttlMs);
    return value;
  });
}

/**
 * Drops every entry whose key is `prefix` or lies under it on a part boundary: `invalidate('profile:42')`
 * removes `profile:42` and `profile:42:settings` but not `profile:420`. A prefix ending in ':' matches as is.
 * Loads in progress for those keys will not write their (possibly stale) result back.
 */
export function invalidate(prefix: string): void {
  local.drop(prefix);
}

/** Entry count and bound, for tests and health endpoints. */
export function cacheStats(): { size: number; max: number; loading: number } {
  return local.stats();
}
