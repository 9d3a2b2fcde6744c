/**
 * The Gemini queue's limit without its retries, for calls the app already retries on 429 itself (a retry loop,
 * `withRetry(() => …)`): at most GEMINI_MAX_CONCURRENCY in flight and a bounded wait for a slot, and every error,
 * a 429 included, goes back to the app's own retry untouched. Retrying here as well would multiply the attempts
 * (the app's retries × ours) and change the error the app's retry classifies.
 */
import { acquireSlot, settings } from './gemini-bounded-queue.js';
import { releaseWhenBodyEnds } from './gemini-stream-release.js';

/**
 * Like runGeminiLimited, but the slot stays taken after `task` resolves: the caller frees it with `release`
 * (idempotent) when the work really ends, e.g. when a stream `task` opened has been read to its end or cancelled.
 */
export async function runGeminiLimitedHolding<T>(
  task: () => Promise<T>,
  signal?: AbortSignal | null,
): Promise<{ value: T; release: () => void }> {
  // Throws GeminiUnavailableError when no slot frees up within GEMINI_MAX_WAIT_MS.
  const release = await acquireSlot(Date.now() + settings.maxWaitMs, 0, signal);
  try {
    return { value: await task(), release };
  } catch (error) {
    release();
    throw error;
  }
}

/** Runs `task` in a queue slot, once; the slot is held until `task` settles. */
export async function runGeminiLimited<T>(task: () => Promise<T>, signal?: AbortSignal | null): Promise<T> {
  const { value, release } = await runGeminiLimitedHolding(task, signal);
  release();
  return value;
}

/** Drop-in replacement for `fetch` to Gemini: one attempt in a queue slot, held until the body is read or cancelled. */
export async function limitedGeminiFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
  const { value, release } = await runGeminiLimitedHolding(() => fetch(input, init), signal);
  return releaseWhenBodyEnds(value, release);
}
