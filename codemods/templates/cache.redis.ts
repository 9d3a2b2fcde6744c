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
import { MAX_KEY_LENGTH, sha256 } from './cache-key.js';
import { LocalCache } from './cache-local.js';
import { intFromEnv } from './env-int.js';
import { sharedRedis } from './redis-connection.js';

export { cacheKey } from './cache-key.js';
export { closeRedis } from './redis-connection.js';

/** Maximum number of entries kept in process; the least recently used entry is evicted past it. */
const MAX_ENTRIES = intFromEnv('GENIE_CACHE_MAX_ENTRIES', 1000);
/** How long a value read from (or written to) Redis is reused in process. Units: milliseconds. */
const LOCAL_TTL_MS = intFromEnv('GENIE_CACHE_LOCAL_TTL_MS', 1000);
const REDIS_PREFIX = `${process.env.GENIE_REDIS_PREFIX ?? 'genie'}:cache:`;
/** Values larger than this are not written to Redis (still cached in process). Units: bytes of JSON. */
const MAX_SHARED_VALUE_BYTES = intFromEnv('GENIE_CACHE_MAX_VALUE_BYTES', 1_000_000);

const local = new LocalCache(MAX_ENTRIES);

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
  return local.get(key, async (keep) => {
    const localTtl = Math.min(ttlMs, LOCAL_TTL_MS);
    const shared = ttlMs > 0 ? await readShared(key) : undefined;
    if (shared) {
      keep(shared.value, localTtl);
      return shared.value as T;
    }
    const value = await load();
    // Shared only while this process would keep it too (no invalidate since the load began, a positive TTL).
    if (keep(value, localTtl)) await writeShared(key, value, ttlMs);
    return value;
  });
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
  local.drop(prefix);
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
  return local.stats();
}
