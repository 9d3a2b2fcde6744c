/**
 * The one process-wide queue every Gemini call waits in: at most `maxConcurrency` in flight, starts spaced by
 * `minSpacingMs`, no caller waiting longer than `maxWaitMs`, and a shared cool-down when Gemini advertises a delay.
 * The memo's queue set `processing = true` around each request, so it ran one at a time (never 5) and let callers
 * wait forever. Part of the Gemini queue (./gemini-queue.ts): the retrying and the limit-only calls share it.
 */
import PQueue from 'p-queue';
import { intFromEnv } from './env-int.js';
import type { Release } from './gemini-stream-release.js';

export interface GeminiQueueOptions {
  /** Requests in flight at once (a streamed reply counts until its body ends). */
  maxConcurrency: number;
  /** Minimum time between two request starts. Units: milliseconds; 0 disables spacing. */
  minSpacingMs: number;
  /** Retries after a 429/503, on top of the first attempt. */
  maxRetries: number;
  /** Total time a caller may wait (queue + backoff) before GeminiUnavailableError. Units: milliseconds. */
  maxWaitMs: number;
  /** Full-jitter backoff base and cap. Units: milliseconds. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A slot whose body is never consumed is released after this long, so a leak cannot stall the queue. */
  maxHoldMs: number;
}

export const settings: GeminiQueueOptions = {
  maxConcurrency: intFromEnv('GEMINI_MAX_CONCURRENCY', 5, 1),
  minSpacingMs: intFromEnv('GEMINI_MIN_SPACING_MS', 100, 0),
  maxRetries: intFromEnv('GEMINI_MAX_RETRIES', 6, 0),
  maxWaitMs: intFromEnv('GEMINI_MAX_WAIT_MS', 60_000, 1),
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxHoldMs: 120_000,
};

function createQueue(options: GeminiQueueOptions): PQueue {
  // strict (sliding window) with intervalCap 1 means: no two starts closer than minSpacingMs.
  return options.minSpacingMs > 0
    ? new PQueue({ concurrency: options.maxConcurrency, intervalCap: 1, interval: options.minSpacingMs, strict: true })
    : new PQueue({ concurrency: options.maxConcurrency });
}

let queue = createQueue(settings);
/** Epoch ms before which no attempt starts: set from a 429's advertised delay, shared by every caller. */
let coolDownUntil = 0;
const counters = { active: 0, maxActiveSeen: 0, started: 0, retries: 0, forcedReleases: 0, unavailable: 0 };

/** Changes the limits at run time (tests, or an app that reads its own config). Takes effect for new calls. */
export function configureGeminiQueue(options: Partial<GeminiQueueOptions>): void {
  Object.assign(settings, options);
  queue = createQueue(settings);
  coolDownUntil = 0;
  counters.maxActiveSeen = counters.active;
  counters.started = 0;
  counters.retries = 0;
  counters.forcedReleases = 0;
  counters.unavailable = 0;
}

export function geminiQueueStats() {
  return { ...counters, queued: queue.size, coolDownUntil, settings: { ...settings } };
}

/** Thrown when Gemini stays unavailable past the retry or wait bound; the route's catch shows its fallback. */
export class GeminiUnavailableError extends Error {
  readonly lastStatus: number | undefined;
  readonly attempts: number;
  constructor(reason: string, details: { lastStatus?: number; attempts: number; cause?: unknown }) {
    super(`The AI service (Gemini) is temporarily unavailable: ${reason}. Please try again in a moment.`, {
      // TypeScript 4.x types ErrorOptions.cause as Error; 5.x as unknown. The cast compiles on both.
      cause: details.cause as Error | undefined,
    });
    this.name = 'GeminiUnavailableError';
    this.lastStatus = details.lastStatus;
    this.attempts = details.attempts;
    counters.unavailable++;
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Waits for a queue slot, at most until `deadline`; the returned function frees it (idempotent). */
export function acquireSlot(deadline: number, attempts: number, signal?: AbortSignal | null): Promise<Release> {
  return new Promise<Release>((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    // Aborting the queued task removes it from p-queue. It is never aborted once started, because p-queue
    // would then count the slot as free while our caller still holds it.
    const dequeue = new AbortController();
    let settled = false;
    const giveUp = (error: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      dequeue.abort(error);
      reject(error);
    };
    const onAbort = () => giveUp(abortReason(signal!));
    const timer = setTimeout(
      () => giveUp(new GeminiUnavailableError('too many requests waiting for a free slot', { attempts })),
      Math.max(0, deadline - Date.now()),
    );
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    queue
      .add(
        () =>
          new Promise<void>((free) => {
            if (settled) return free(); // the caller left while this was starting
            settled = true;
            cleanup();
            counters.active++;
            counters.started++;
            counters.maxActiveSeen = Math.max(counters.maxActiveSeen, counters.active);
            let held = true;
            const release = () => {
              if (!held) return;
              held = false;
              clearTimeout(safety);
              counters.active--;
              free();
            };
            const safety = setTimeout(() => {
              counters.forcedReleases++;
              release();
            }, settings.maxHoldMs);
            // Do not keep a finishing process alive for it (Node); a no-op where timers are plain numbers.
            (safety as { unref?: () => void }).unref?.();
            resolve(release);
          }),
        { signal: dequeue.signal },
      )
      .catch(() => {}); // rejection only means we dequeued it ourselves; the caller already has its error
  });
}

function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits out a cool-down another caller's 429 started, or gives up when it ends after `deadline`. */
export async function waitForCoolDown(deadline: number, attempts: number, signal?: AbortSignal | null): Promise<void> {
  const wait = coolDownUntil - Date.now();
  if (wait <= 0) return;
  if (Date.now() + wait > deadline) {
    throw new GeminiUnavailableError('the rate limit resets later than this request can wait', { attempts, lastStatus: 429 });
  }
  await sleep(wait, signal);
}

/** Full-jitter exponential backoff, never shorter than what the server advertised. Units: milliseconds. */
function retryDelay(retryIndex: number, advertisedMs: number): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** retryIndex);
  const jittered = Math.random() * ceiling;
  // A little spread on top of the advertised delay, so every waiter does not return in the same millisecond.
  return advertisedMs > 0 ? Math.max(jittered, advertisedMs + Math.random() * settings.baseDelayMs) : jittered;
}

/** Waits before retry `attempt + 1`, or throws GeminiUnavailableError when that would pass `deadline`. */
export async function backOff(
  attempt: number,
  advertisedMs: number,
  status: number,
  deadline: number,
  signal?: AbortSignal | null,
): Promise<void> {
  const delay = retryDelay(attempt, advertisedMs);
  if (Date.now() + delay > deadline) {
    throw new GeminiUnavailableError(`HTTP ${status}, and the next retry would exceed the wait limit`, {
      lastStatus: status,
      attempts: attempt + 1,
    });
  }
  // A quota 429 with a delay holds for every caller, not just this one.
  if (status === 429 && advertisedMs > 0) coolDownUntil = Math.max(coolDownUntil, Date.now() + advertisedMs);
  counters.retries++;
  await sleep(delay, signal);
}
