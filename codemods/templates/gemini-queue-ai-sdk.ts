/**
 * The Gemini queue for models made with the Vercel AI SDK (`@ai-sdk/google`, `@ai-sdk/google-vertex`): wrap the
 * model once where it is made, and every streamText / generateText / generateObject / streamObject call that
 * uses it shares the process-wide limit, spacing and RetryInfo-aware retry of ./gemini-queue.ts.
 *
 * Retries, and how they stack with the AI SDK's own: the SDK retries a retryable APICallError (429, 5xx) itself
 * (`maxRetries`, default 2) by calling the wrapped model again. Our middleware sits inside that loop, so it sees the
 * 429 first (APICallError carries `statusCode` and Google's `responseBody` with RetryInfo) and retries it, bounded
 * by GEMINI_MAX_RETRIES and GEMINI_MAX_WAIT_MS. When it gives up it throws GeminiUnavailableError, which is not an
 * APICallError, so the SDK does not retry again on top: no 3 × 7 attempts. A per-day quota 429 is passed through
 * untouched (retrying soon cannot succeed); the SDK then spends its own 2 retries on it, as it would without us.
 */
import { wrapLanguageModel } from 'ai';
import { slotMiddleware, type GeminiModel, type Middleware } from './gemini-ai-sdk-middleware.js';
import { runGeminiHolding } from './gemini-queue.js';

/** The queue as an AI SDK middleware, for apps that compose their own `wrapLanguageModel({ middleware: [...] })`. */
export const geminiQueueMiddleware: Middleware = slotMiddleware(runGeminiHolding);

/** `google('gemini-2.0-flash')` → `queuedGeminiModel(google('gemini-2.0-flash'))`: same model, queued calls. */
export function queuedGeminiModel(model: GeminiModel): ReturnType<typeof wrapLanguageModel> {
  // wrapLanguageModel keeps the provider, model id and capabilities; only doGenerate/doStream go through the queue.
  return wrapLanguageModel({ model, middleware: geminiQueueMiddleware });
}
