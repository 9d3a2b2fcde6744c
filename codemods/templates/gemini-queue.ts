/**
 * A real concurrency limit, start spacing, backoff and a bounded wait in front of every Gemini call.
 * The memo's fix was wrong: its queue set `processing = true` around each request, so it ran one at a time
 * (never 5), re-queued 429s with no backoff, ignored Gemini's advertised retry delay and could wait forever.
 *
 * The parts: the bounded queue (./gemini-bounded-queue.ts), what a 429 says about retrying (./gemini-retry-info.ts),
 * holding a slot for a whole streamed reply (./gemini-stream-release.ts). Calls the app already retries itself get
 * the same limit without a second retry policy (./gemini-limit-only.ts).
 */
import { acquireSlot, backOff, GeminiUnavailableError, settings, waitForCoolDown } from './gemini-bounded-queue.js';
import { errorStatus, isPerDayQuota, parseRetryDelayMs, retryAfterHeaderMs, tryParseJson } from './gemini-retry-info.js';
import { releaseWhenBodyEnds } from './gemini-stream-release.js';

export { configureGeminiQueue, geminiQueueStats, GeminiUnavailableError } from './gemini-bounded-queue.js';
export type { GeminiQueueOptions } from './gemini-bounded-queue.js';
export { isPerDayQuota, parseRetryDelayMs } from './gemini-retry-info.js';
export { releaseWhenStreamEnds } from './gemini-stream-release.js';

interface Resendable {
  url: string | URL;
  init: RequestInit;
}

function isStreamLike(body: unknown): boolean {
  if (!body || typeof body !== 'object') return false;
  return typeof (body as ReadableStream).getReader === 'function' || Symbol.asyncIterator in body;
}

/** A retry must send the same body again, and a stream body can be read only once: buffer it up front. */
async function toResendable(input: string | URL | Request, init?: RequestInit): Promise<Resendable> {
  if (input instanceof Request) {
    const fromRequest: RequestInit = {
      method: input.method,
      headers: input.headers,
      signal: input.signal,
      redirect: input.redirect,
    };
    // An explicit init.body wins over the Request's, as with fetch.
    if (init?.body === undefined && input.body) fromRequest.body = new Uint8Array(await input.arrayBuffer());
    const merged: RequestInit = { ...fromRequest, ...init };
    if (init?.body === undefined && fromRequest.body !== undefined) merged.body = fromRequest.body;
    return toResendable(input.url, merged);
  }
  if (init?.body && isStreamLike(init.body)) {
    const bytes = new Uint8Array(await new Response(init.body as ReadableStream<Uint8Array>).arrayBuffer());
    const { duplex: _duplex, ...rest } = init as RequestInit & { duplex?: string };
    return { url: input, init: { ...rest, body: bytes } };
  }
  return { url: input, init: init ?? {} };
}

/**
 * Drop-in replacement for `fetch` to Gemini: limited, spaced, retried on 429/503 with backoff that honours
 * Google's RetryInfo and `Retry-After`. A per-day quota 429 is returned as is. Throws GeminiUnavailableError
 * past GEMINI_MAX_RETRIES retries or GEMINI_MAX_WAIT_MS of waiting.
 */
export async function queuedGeminiFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const deadline = Date.now() + settings.maxWaitMs;
  const request = await toResendable(input, init);
  const signal = request.init.signal;
  for (let attempt = 0; ; attempt++) {
    await waitForCoolDown(deadline, attempt, signal);
    const release = await acquireSlot(deadline, attempt, signal);
    let response: Response;
    try {
      response = await fetch(request.url, request.init);
    } catch (error) {
      release();
      throw error;
    }
    if (response.status !== 429 && response.status !== 503) return releaseWhenBodyEnds(response, release);

    // Google's error body is small; read it to learn the delay and the quota kind, then free the slot.
    let text: string;
    try {
      text = await response.text();
    } finally {
      release();
    }
    const body = tryParseJson(text) ?? text;
    if (response.status === 429 && isPerDayQuota(body)) {
      return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
    }
    if (attempt >= settings.maxRetries) {
      throw new GeminiUnavailableError(`still HTTP ${response.status} after ${attempt} retries`, {
        lastStatus: response.status,
        attempts: attempt + 1,
      });
    }
    const advertised = Math.max(parseRetryDelayMs(body) ?? 0, retryAfterHeaderMs(response.headers.get('retry-after')) ?? 0);
    await backOff(attempt, advertised, response.status, deadline, signal);
  }
}

/**
 * Runs an SDK call (`@google/genai`, `@google/generative-ai`) under the same limit and retry policy.
 * The slot is held until `task` settles: for a streaming SDK call, consume the stream inside `task`.
 */
export async function runGemini<T>(task: () => Promise<T>, signal?: AbortSignal | null): Promise<T> {
  const { value, release } = await runGeminiHolding(task, signal);
  release();
  return value;
}

/**
 * Like runGemini, but the slot stays taken after `task` resolves: the caller frees it with `release` (idempotent)
 * when the work really ends, e.g. when a stream `task` opened has been read to its end or cancelled.
 */
export async function runGeminiHolding<T>(
  task: () => Promise<T>,
  signal?: AbortSignal | null,
): Promise<{ value: T; release: () => void }> {
  const deadline = Date.now() + settings.maxWaitMs;
  for (let attempt = 0; ; attempt++) {
    await waitForCoolDown(deadline, attempt, signal);
    const release = await acquireSlot(deadline, attempt, signal);
    try {
      return { value: await task(), release };
    } catch (error) {
      release();
      const status = errorStatus(error);
      if (status !== 429 && status !== 503) throw error;
      if (status === 429 && isPerDayQuota(error)) throw error;
      if (attempt >= settings.maxRetries) {
        throw new GeminiUnavailableError(`still HTTP ${status} after ${attempt} retries`, {
          lastStatus: status,
          attempts: attempt + 1,
          cause: error,
        });
      }
      await backOff(attempt, parseRetryDelayMs(error) ?? 0, status, deadline, signal);
    }
  }
}
