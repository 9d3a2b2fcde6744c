/**
 * The in-process level of lib/genie's cache (both stores): a bounded LRU, and one load per key however many
 * requests miss it at once.
 */
import { LRUCache } from 'lru-cache';

// lru-cache refuses `undefined` values and we want a cached `null` to be a hit, so every value is boxed.
interface Box {
  value: unknown;
}

interface Flight {
  promise: Promise<unknown>;
}

/** Stores `value` for `ttlMs` unless the key was invalidated since the load began; says whether it stored. */
export type Keep = (value: unknown, ttlMs: number) => boolean;

export class LocalCache {
  private readonly store: LRUCache<string, Box>;
  // Loads in progress. Bounded by the number of concurrent requests; an entry lives only as long as its load.
  private readonly inFlight = new Map<string, Flight>();

  constructor(readonly max: number) {
    this.store = new LRUCache<string, Box>({ max });
  }

  /** The value kept for `key`, or the result of one `fill` shared by every concurrent caller of that key. */
  get<T>(key: string, fill: (keep: Keep) => Promise<T>): Promise<T> {
    const hit = this.store.get(key);
    if (hit) return Promise.resolve(hit.value as T);
    const running = this.inFlight.get(key);
    if (running) return running.promise as Promise<T>;

    const flight: Flight = { promise: Promise.resolve() };
    const keep: Keep = (value, ttlMs) => {
      // Only store if nobody invalidated the key while we were loading: that data may be stale already.
      if (this.inFlight.get(key) !== flight || ttlMs <= 0) return false;
      this.store.set(key, { value }, { ttl: ttlMs });
      return true;
    };
    const promise = (async () => {
      try {
        return await fill(keep);
      } finally {
        if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
      }
    })();
    flight.promise = promise;
    this.inFlight.set(key, flight);
    return promise;
  }

  /**
   * Drops every entry whose key is `prefix` or lies under it on a part boundary (`profile:42` drops
   * `profile:42:settings`, not `profile:420`; a prefix ending in ':' matches as is); loads in progress for those
   * keys will not store their result.
   */
  drop(prefix: string): void {
    const matches = (key: string) =>
      prefix.endsWith(':') ? key.startsWith(prefix) : key === prefix || key.startsWith(`${prefix}:`);
    // Array.from, not spread or for-of over the iterator: apps compiled for ES5 without downlevelIteration reject those.
    for (const key of Array.from(this.store.keys())) if (matches(key)) this.store.delete(key);
    for (const key of Array.from(this.inFlight.keys())) if (matches(key)) this.inFlight.delete(key);
  }

  stats(): { size: number; max: number; loading: number } {
    return { size: this.store.size, max: this.max, loading: this.inFlight.size };
  }
}
