/**
 * A real concurrency limit, start spacing, backoff and a bounded wait in front of every Gemini call.
 * The memo's fix was wrong: its queue set `processing = true` around each request, so it ran one at a time
 * (never 5), re-queued 429s with no backoff, ignored Gemini's advertised retry delay and could wait forever.
 *
 * A slot is held until the response body is fully read, cancelled or errored, because a streamed reply is
 * in flight at Gemini for as long as it streams.
 */
import PQueue from 'p-queue';

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

function intFromEnv(name: string, fallback: number, min: number): number {
  const parsed = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(parsed) && parsed >= min ? parsed : fallback;
}

const settings: GeminiQueueOptions = {
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

type Release = () => void;

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Waits for a queue slot, at most until `deadline`; the returned function frees it (idempotent). */
function acquireSlot(deadline: number, attempts: number, signal?: AbortSignal | null): Promise<Release> {
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

async function waitForCoolDown(deadline: number, attempts: number, signal?: AbortSignal | null): Promise<void> {
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

// ---- Google error bodies -------------------------------------------------------------------------------

function tryParseJson(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

/** Every value stored under `key` anywhere in `body` (depth- and size-bounded). Also looks into Error messages
 *  and JSON text, because SDK errors carry Google's body as a string. */
function valuesUnder(body: unknown, key: string): unknown[] {
  const found: unknown[] = [];
  let budget = 500;
  const visit = (node: unknown, depth: number): void => {
    if (budget-- <= 0 || depth > 8 || node === null || node === undefined) return;
    if (typeof node === 'string') {
      const parsed = tryParseJson(node);
      if (parsed !== undefined) visit(parsed, depth + 1);
      return;
    }
    if (typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, depth + 1);
      return;
    }
    if (node instanceof Error) visit(node.message, depth + 1);
    for (const [name, value] of Object.entries(node)) {
      if (name === key) found.push(value);
      else visit(value, depth + 1);
    }
  };
  visit(body, 0);
  return found;
}

function durationToMs(value: unknown): number | null {
  if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/.exec(value);
    if (!match) return null;
    const amount = Number(match[1]);
    return Math.round(match[2] === 'ms' ? amount : amount * 1000);
  }
  if (value && typeof value === 'object' && 'seconds' in value) {
    const { seconds, nanos } = value as { seconds?: unknown; nanos?: unknown };
    return Math.round(Number(seconds ?? 0) * 1000 + Number(nanos ?? 0) / 1e6) || null;
  }
  return null;
}

function messageText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body instanceof Error) return body.message;
  try {
    return JSON.stringify(body) ?? '';
  } catch {
    return '';
  }
}

/**
 * The retry delay Google advertises: `google.rpc.RetryInfo.retryDelay` ("1s", "1.68s") in a JSON error body
 * (object, JSON text, or an SDK error carrying either), else "Please retry in 1.68s." in the message.
 */
export function parseRetryDelayMs(body: unknown): number | null {
  const delays = valuesUnder(body, 'retryDelay')
    .map(durationToMs)
    .filter((ms): ms is number => ms !== null);
  const text = messageText(body);
  const quoted = /retryDelay\\?"?\s*:\s*\\?"(\d+(?:\.\d+)?)s/.exec(text);
  if (quoted) delays.push(Math.round(Number(quoted[1]) * 1000));
  // Google's message sometimes states a finer delay ("retry in 1.68s") than RetryInfo ("1s"): take the longer.
  const prose = /retry in (\d+(?:\.\d+)?)\s*(ms|s)\b/i.exec(text);
  if (prose) delays.push(Math.round(Number(prose[1]) * (prose[2]!.toLowerCase() === 'ms' ? 1 : 1000)));
  return delays.length > 0 ? Math.max(...delays) : null;
}

/** True when a 429 names a per-day quota (`quotaId` containing "PerDay"): retrying soon cannot succeed. */
export function isPerDayQuota(body: unknown): boolean {
  if (valuesUnder(body, 'quotaId').some((id) => typeof id === 'string' && id.includes('PerDay'))) return true;
  return /quotaId\\?"?\s*:\s*\\?"[\w.-]*PerDay/.test(messageText(body));
}

function retryAfterHeaderMs(value: string | null): number | null {
  if (!value) return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

// ---- fetch ----------------------------------------------------------------------------------------------

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

/** Re-wraps a stream so `release` runs exactly once, when the reader reaches its end, errors or cancels. */
export function releaseWhenStreamEnds<P>(stream: ReadableStream<P>, release: Release): ReadableStream<P> {
  const reader = stream.getReader();
  return new ReadableStream<P>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          release();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        release();
        controller.error(error);
      }
    },
    async cancel(reason) {
      release();
      await reader.cancel(reason);
    },
  });
}

/** Re-wraps the body so the slot is released exactly when the caller finishes with it. */
function releaseWhenBodyEnds(response: Response, release: Release): Response {
  if (!response.body) {
    release();
    return response;
  }
  const body = releaseWhenStreamEnds(response.body, release);
  const wrapped = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // Keep `url` like the original, for code that logs or checks it.
  Object.defineProperty(wrapped, 'url', { value: response.url });
  return wrapped;
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

async function backOff(
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

// ---- SDK calls ------------------------------------------------------------------------------------------

/** The HTTP status an SDK error stands for (`status`, `statusCode` (the AI SDK's APICallError), `code`,
 *  `response.status`, or the message). */
function errorStatus(error: unknown): number | null {
  if (!error || typeof error !== 'object') return null;
  const e = error as { status?: unknown; statusCode?: unknown; code?: unknown; response?: { status?: unknown }; message?: unknown };
  for (const candidate of [e.status, e.statusCode, e.code, e.response?.status]) {
    if (typeof candidate === 'number') return candidate;
    if (candidate === 'RESOURCE_EXHAUSTED') return 429;
    if (candidate === 'UNAVAILABLE') return 503;
  }
  const message = typeof e.message === 'string' ? e.message : '';
  if (/\b429\b|RESOURCE_EXHAUSTED|Too Many Requests/i.test(message)) return 429;
  if (/\b503\b|\bUNAVAILABLE\b|Service Unavailable/.test(message)) return 503;
  return null;
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
