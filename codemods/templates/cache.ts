/**
 * Bounded, single-flight TTL cache for hot reads (RAG results, popular products, per-user profiles).
 * The memo's fix was wrong: its Map cache had no size bound and keyed entries by raw user text, so memory grew
 * without limit; this one is an LRU capped in entries, keys are hashed, and concurrent misses share one load.
 *
 * Per-user data must carry the user id in its key (`cacheKey('profile', userId)`): a global key would serve
 * one user's data to another.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';

function positiveIntFromEnv(name: string, fallback: number): number {
  const parsed = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
}

/** Maximum number of entries kept; the least recently used entry is evicted past it. */
const MAX_ENTRIES = positiveIntFromEnv('GENIE_CACHE_MAX_ENTRIES', 1000);
/** Parts longer than this are replaced by their hash, so a 10 KB question never becomes a 10 KB key. */
const MAX_PART_LENGTH = 64;
const MAX_KEY_LENGTH = 256;

// lru-cache refuses `undefined` values and we want a cached `null` to be a hit, so every value is boxed.
interface Box {
  value: unknown;
}

const store = new LRUCache<string, Box>({ max: MAX_ENTRIES });

interface Flight {
  promise: Promise<unknown>;
}
// Loads in progress. Bounded by the number of concurrent requests; an entry lives only as long as its load.
const inFlight = new Map<string, Flight>();

/**
 * Returns the cached value for `key`, or runs `load` once for all concurrent callers of that key and caches
 * its result for `ttlMs` milliseconds. A rejected load is not cached: the next call tries again.
 */
export function cached<T extends {} | null>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
  const hit = store.get(key);
  if (hit) return Promise.resolve(hit.value as T);

  const running = inFlight.get(key);
  if (running) return running.promise as Promise<T>;

  const flight: Flight = { promise: Promise.resolve() };
  const promise = (async () => {
    try {
      const value = await load();
      // Only store if nobody invalidated the key while we were loading: that data may be stale already.
      if (inFlight.get(key) === flight && ttlMs > 0) store.set(key, { value }, { ttl: ttlMs });
      return value;
    } finally {
      if (inFlight.get(key) === flight) inFlight.delete(key);
    }
  })();
  flight.promise = promise;
  inFlight.set(key, flight);
  return promise;
}

function partToString(part: unknown): string {
  if (typeof part === 'string') return part;
  if (part === undefined) return 'undefined';
  if (typeof part === 'bigint') return part.toString();
  try {
    return JSON.stringify(part, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(part);
  } catch {
    return String(part);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * Builds a key from its parts, joined by ':' (a ':' or '%' inside a part is escaped so parts cannot run
 * together). A long part is replaced by `#` + its SHA-256, and the whole key never exceeds 256 characters.
 */
export function cacheKey(...parts: unknown[]): string {
  const encoded = parts.map((part) => {
    const text = partToString(part);
    if (text.length > MAX_PART_LENGTH) return `#${sha256(text)}`;
    return text.replace(/%/g, '%25').replace(/:/g, '%3A');
  });
  const key = encoded.join(':');
  if (key.length <= MAX_KEY_LENGTH) return key;
  // Many parts: keep the first (the namespace, so invalidate('ns') still works) and hash the rest.
  return `${encoded[0]}:#${sha256(encoded.slice(1).join(':'))}`;
}

/**
 * Drops every entry whose key is `prefix` or lies under it on a part boundary: `invalidate('profile:42')`
 * removes `profile:42` and `profile:42:settings` but not `profile:420`. A prefix ending in ':' matches as is.
 * Loads in progress for those keys will not write their (possibly stale) result back.
 */
export function invalidate(prefix: string): void {
  const matches = (key: string) =>
    prefix.endsWith(':') ? key.startsWith(prefix) : key === prefix || key.startsWith(`${prefix}:`);
  // Array.from, not spread or for-of over the iterator: apps compiled for ES5 without downlevelIteration reject those.
  for (const key of Array.from(store.keys())) if (matches(key)) store.delete(key);
  for (const key of Array.from(inFlight.keys())) if (matches(key)) inFlight.delete(key);
}

/** Entry count and bound, for tests and health endpoints. */
export function cacheStats(): { size: number; max: number; loading: number } {
  return { size: store.size, max: MAX_ENTRIES, loading: inFlight.size };
}
