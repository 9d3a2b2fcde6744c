/**
 * The Gemini queue for models made with the Vercel AI SDK (`@ai-sdk/google`, `@ai-sdk/google-vertex`): wrap the
 * model once where it is created, and every streamText / generateText / generateObject / streamObject call that
 * uses it shares the process-wide limit, spacing and RetryInfo-aware retry of ./gemini-queue.ts.
 *
 * Retries, and how they stack with the AI SDK's own: the SDK retries a retryable APICallError (429, 5xx) itself
 * (`maxRetries`, default 2) by calling the wrapped model again. Our middleware sits inside that loop, so it sees the
 * 429 first (APICallError carries `statusCode` and Google's `responseBody` with RetryInfo) and retries it, bounded
 * by GEMINI_MAX_RETRIES and GEMINI_MAX_WAIT_MS. When it gives up it throws GeminiUnavailableError, which is not an
 * APICallError, so the SDK does not retry again on top: no 3 × 7 attempts. A per-day quota 429 is passed through
 * untouched (retrying soon cannot succeed); the SDK then spends its own 2 retries on it, as it would without us.
 *
 * Types: written against the middleware shape, not a named type, because `ai` v4 (LanguageModelV1Middleware,
 * optional `middlewareVersion: 'v1'`), v5 (LanguageModelV2Middleware, optional 'v2') and v6 (LanguageModelV3Middleware,
 * required `specificationVersion: 'v3'`) name and tag it differently: the object carries only v6's tag (extra
 * properties are fine for v4/v5) and takes the model type from wrapLanguageModel itself. Checked on ai 4.3, 5.0, 6.0.
 */
import { wrapLanguageModel } from 'ai';
import { releaseWhenStreamEnds, runGemini, runGeminiHolding } from './gemini-queue.js';

type WrapOptions = Parameters<typeof wrapLanguageModel>[0];
type QueueableModel = WrapOptions['model'];
type Middleware = Exclude<WrapOptions['middleware'], readonly unknown[]>;

interface CallOptions {
  params: { abortSignal?: AbortSignal };
}

const queueMiddleware = {
  specificationVersion: 'v3' as const,
  // One slot per attempt; a 429/503 frees it, waits (RetryInfo, Retry-After, jittered backoff) and calls again.
  wrapGenerate: <R>({ doGenerate, params }: CallOptions & { doGenerate: () => PromiseLike<R> }): Promise<R> =>
    runGemini(() => Promise.resolve(doGenerate()), params.abortSignal),
  // The provider opens the HTTP request in doStream, so a 429 rejects it and is retried here; a reply that
  // started holds its slot until the caller has read the stream to its end or cancelled it, as the fetch path does.
  wrapStream: async <R extends { stream: ReadableStream<P> }, P>({
    doStream,
    params,
  }: CallOptions & { doStream: () => PromiseLike<R> }): Promise<R> => {
    const { value, release } = await runGeminiHolding(() => Promise.resolve(doStream()), params.abortSignal);
    return { ...value, stream: releaseWhenStreamEnds(value.stream, release) };
  },
};

/** The queue as an AI SDK middleware, for apps that compose their own `wrapLanguageModel({ middleware: [...] })`. */
export const geminiQueueMiddleware: Middleware = queueMiddleware;

/** `google('gemini-2.0-flash')` → `queuedGeminiModel(google('gemini-2.0-flash'))`: same model, queued calls. */
export function queuedGeminiModel(model: QueueableModel): ReturnType<typeof wrapLanguageModel> {
  // wrapLanguageModel keeps the provider, model id and capabilities; only doGenerate/doStream go through the queue.
  return wrapLanguageModel({ model, middleware: geminiQueueMiddleware });
}
