/**
 * Bounded, single-flight TTL cache for hot reads (RAG results, popular products, per-user profiles), shared by
 * every instance of the app through Redis (`genie-fix apply --store redis`; same exports as the in-memory cache).
 * The memo's fix was wrong: its Map cache had no size bound and keyed entries by raw user text; here keys are
 * bounded (long parts hashed), Redis holds each entry for its TTL (`SET … PX`), and concurrent misses in one
 * process share one load.
 *
 * Two levels, kept simple:
 * - in process: an LRU (bounded in entries) that makes concurrent misses share one load and keeps a value for at
 *   most GENIE_CACHE_LOCAL_TTL_MS (default 1 s), so a hot key costs one Redis read per second per instance and
 *   an `invalidate` on another instance is seen within that second;
 * - Redis: the shared copy, JSON-encoded (Date and BigInt values survive the round trip; a value JSON cannot
 *   encode is simply not shared).
 * Redis errors: the cache is an optimisation, so any Redis failure (down, slow past the command timeout, missing
 * REDIS_URL) falls through to the loader — the request is served from the database, never failed by the cache.
 *
 * Per-user data must carry the user id in its key (`cacheKey('profile', userId)`): a global key would serve
 * one user's data to another.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { Redis } from 'ioredis';

function positiveIntFromEnv(name: string, fallback: number): number {
  const parsed = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
}

// ---- the shared Redis connection (same code in login-limiter and cache: templates are copied alone) ----
// REDIS_URL is required and read on first use, never at import time (`next build` imports route modules with no
// Redis around). `lazyConnect`: nothing connects before the first command. Every command is bounded
// (GENIE_REDIS_COMMAND_TIMEOUT_MS, default 500 ms) and retried at most once across a reconnect, so a slow or
// absent Redis costs a request half a second, never a hung route. One client per process, shared through
// globalThis by both templates (and surviving Next's dev-mode module reloads).
const REDIS_KEY = Symbol.for('genie-fix.redis');

function sharedRedis(): Redis {
  const holder = globalThis as typeof globalThis & { [REDIS_KEY]?: Redis };
  const existing = holder[REDIS_KEY];
  if (existing) return existing;
  const url = process.env.REDIS_URL?.trim();
  if (!url) {
    throw new Error(
      'REDIS_URL is not set: lib/genie keeps login-limiter counters and cache entries in Redis ' +
        '(genie-fix apply --store redis). Set REDIS_URL=redis://<host>:6379 (rediss:// for TLS) in the app ' +
        'environment, or re-apply without --store redis to keep them in process memory.',
    );
  }
  const client = new Redis(url, {
    lazyConnect: true,
    commandTimeout: positiveIntFromEnv('GENIE_REDIS_COMMAND_TIMEOUT_MS', 500),
    connectTimeout: positiveIntFromEnv('GENIE_REDIS_CONNECT_TIMEOUT_MS', 2000),
    maxRetriesPerRequest: 1,
  });
  // Without a listener ioredis prints every failed reconnect; one line per outage is enough. ioredis errors
  // name host and port, never the URL's password.
  let reported = false;
  client.on('error', (err: Error) => {
    if (!reported) console.warn(`[genie] Redis unavailable (${err.message}); using the fallback described in lib/genie`);
    reported = true;
  });
  client.on('ready', () => {
    reported = false;
  });
  holder[REDIS_KEY] = client;
  return client;
}

/** Closes the shared Redis client (tests, graceful shutdown); the next call opens a new one. */
export async function closeRedis(): Promise<void> {
  const holder = globalThis as typeof globalThis & { [REDIS_KEY]?: Redis };
  const client = holder[REDIS_KEY];
  delete holder[REDIS_KEY];
  if (client) await client.quit().catch(() => client.disconnect());
}

/** Maximum number of entries kept in process; the least recently used entry is evicted past it. */
const MAX_ENTRIES = positiveIntFromEnv('GENIE_CACHE_MAX_ENTRIES', 1000);
/** How long a value read from (or written to) Redis is reused in process. Units: milliseconds. */
const LOCAL_TTL_MS = positiveIntFromEnv('GENIE_CACHE_LOCAL_TTL_MS', 1000);
/** Parts longer than this are replaced by their hash, so a 10 KB question never becomes a 10 KB key. */
const MAX_PART_LENGTH = 64;
const MAX_KEY_LENGTH = 256;
const REDIS_PREFIX = `${process.env.GENIE_REDIS_PREFIX ?? 'genie'}:cache:`;
/** Values larger than this are not written to Redis (still cached in process). Units: bytes of JSON. */
const MAX_SHARED_VALUE_BYTES = positiveIntFromEnv('GENIE_CACHE_MAX_VALUE_BYTES', 1_000_000);

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

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** The Redis key for a cache key: prefixed, and never longer than the prefix + 256 characters. */
function redisKey(key: string): string {
  return REDIS_PREFIX + (key.length > MAX_KEY_LENGTH ? `#${sha256(key)}` : key);
}

const DATE_TAG = '$genie:date';
const BIGINT_TAG = '$genie:bigint';

function encode(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, function (this: Record<string, unknown>, k, v: unknown) {
      const raw = this[k];
      if (raw instanceof Date) return { [DATE_TAG]: Number.isNaN(raw.getTime()) ? null : raw.toISOString() };
      if (typeof raw === 'bigint') return { [BIGINT_TAG]: raw.toString() };
      return v;
    });
  } catch {
    return undefined; // cycles and the like: not shareable, still cached in process
  }
}

function decode(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const tagged = v as Record<string, unknown>;
      const keys = Object.keys(tagged);
      if (keys.length === 1 && keys[0] === DATE_TAG) return new Date((tagged[DATE_TAG] as string | null) ?? Number.NaN);
      if (keys.length === 1 && keys[0] === BIGINT_TAG) return BigInt(tagged[BIGINT_TAG] as string);
    }
    return v;
  });
}

let warnedNotConfigured = false;

/** The shared copy, or undefined on a miss or any Redis problem (the caller then loads). */
async function readShared(key: string): Promise<{ value: unknown } | undefined> {
  try {
    const text = await sharedRedis().get(redisKey(key));
    return text === null ? undefined : { value: decode(text) };
  } catch (err) {
    // A missing REDIS_URL is a configuration error: served from the loader, but said once, loudly.
    if (!warnedNotConfigured && err instanceof Error && err.message.startsWith('REDIS_URL is not set')) {
      warnedNotConfigured = true;
      console.error(`[genie] ${err.message}`);
    }
    return undefined;
  }
}

async function writeShared(key: string, value: unknown, ttlMs: number): Promise<void> {
  const text = encode(value);
  if (text === undefined || Buffer.byteLength(text) > MAX_SHARED_VALUE_BYTES) return;
  try {
    await sharedRedis().set(redisKey(key), text, 'PX', Math.max(1, Math.round(ttlMs)));
  } catch {
    // Not shared this time; the value is still returned and cached in process.
  }
}

/**
 * Returns the cached value for `key` (this process, then Redis), or runs `load` once for all concurrent callers
 * of that key in this process and shares its result for `ttlMs` milliseconds. A rejected load is not cached.
 * Values must survive JSON (plus Date and BigInt): class instances come back as plain objects from Redis.
 */
export function cached<T extends {} | null>(key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
  const hit = store.get(key);
  if (hit) return Promise.resolve(hit.value as T);

  const running = inFlight.get(key);
  if (running) return running.promise as Promise<T>;

  const flight: Flight = { promise: Promise.resolve() };
  const promise = (async () => {
    try {
      const localTtl = Math.min(ttlMs, LOCAL_TTL_MS);
      const shared = ttlMs > 0 ? await readShared(key) : undefined;
      if (shared) {
        if (inFlight.get(key) === flight) store.set(key, { value: shared.value }, { ttl: localTtl });
        return shared.value as T;
      }
      const value = await load();
      // Only store if nobody invalidated the key while we were loading: that data may be stale already.
      if (inFlight.get(key) === flight && ttlMs > 0) {
        store.set(key, { value }, { ttl: localTtl });
        await writeShared(key, value, ttlMs);
      }
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

/** `*`, `?`, `[`, `]` and `\` are glob syntax in SCAN MATCH; keys may contain them. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * Drops every entry whose key is `prefix` or lies under it on a part boundary: `invalidate('profile:42')`
 * removes `profile:42` and `profile:42:settings` but not `profile:420`. A prefix ending in ':' matches as is.
 * Loads in progress in this process will not write their result back. Resolves once Redis has dropped the
 * shared copies (other instances may keep theirs for up to GENIE_CACHE_LOCAL_TTL_MS); never rejects.
 */
export async function invalidate(prefix: string): Promise<void> {
  const matches = (key: string) =>
    prefix.endsWith(':') ? key.startsWith(prefix) : key === prefix || key.startsWith(`${prefix}:`);
  // Array.from, not spread or for-of over the iterator: apps compiled for ES5 without downlevelIteration reject those.
  for (const key of Array.from(store.keys())) if (matches(key)) store.delete(key);
  for (const key of Array.from(inFlight.keys())) if (matches(key)) inFlight.delete(key);
  try {
    const client = sharedRedis();
    const patterns = prefix.endsWith(':')
      ? [`${REDIS_PREFIX}${globEscape(prefix)}*`]
      : [`${REDIS_PREFIX}${globEscape(prefix)}`, `${REDIS_PREFIX}${globEscape(prefix)}:*`];
    for (const pattern of patterns) {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        if (keys.length) await client.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } catch {
    // Redis down: the shared copies expire with their TTL; nothing else can be done from here.
  }
}

/** Entry count and bound of the in-process level, for tests and health endpoints. */
export function cacheStats(): { size: number; max: number; loading: number } {
  return { size: store.size, max: MAX_ENTRIES, loading: inFlight.size };
}
