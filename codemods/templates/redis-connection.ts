/**
 * The one Redis connection of lib/genie (`genie-fix apply --store redis`), shared by the login limiter and the cache.
 */
import { Redis } from 'ioredis';
import { intFromEnv } from './env-int.js';

// REDIS_URL is required and read on first use, never at import time (`next build` imports route modules with no
// Redis around). `lazyConnect`: nothing connects before the first command. Every command is bounded
// (GENIE_REDIS_COMMAND_TIMEOUT_MS, default 500 ms) and retried at most once across a reconnect, so a slow or
// absent Redis costs a request half a second, never a hung route. One client per process, shared through
// globalThis by both templates (and surviving Next's dev-mode module reloads).
const REDIS_KEY = Symbol.for('genie-fix.redis');

export function sharedRedis(): Redis {
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
    commandTimeout: intFromEnv('GENIE_REDIS_COMMAND_TIMEOUT_MS', 500),
    connectTimeout: intFromEnv('GENIE_REDIS_CONNECT_TIMEOUT_MS', 2000),
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
