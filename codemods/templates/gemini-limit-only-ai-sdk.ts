/**
 * The Gemini queue's limit without its retries, for AI SDK models (`@ai-sdk/google`) whose calls the app already
 * retries on 429 itself (`withRetry(() => generateText({ model, … }))`): every streamText / generateText /
 * generateObject call using the wrapped model waits for a slot of the process-wide limit (bounded by
 * GEMINI_MAX_WAIT_MS), and every error, the AI SDK's APICallError for a 429 included, reaches the app's retry
 * untouched, so retries do not multiply. A stream holds its slot until it is read to the end or cancelled.
 */
import { wrapLanguageModel } from 'ai';
import { slotMiddleware, type GeminiModel, type Middleware } from './gemini-ai-sdk-middleware.js';
import { runGeminiLimitedHolding } from './gemini-limit-only.js';

/** The limit as an AI SDK middleware, for apps that compose their own `wrapLanguageModel({ middleware: [...] })`. */
export const geminiLimitMiddleware: Middleware = slotMiddleware(runGeminiLimitedHolding);

/** `google('gemini-2.0-flash')` → `limitedGeminiModel(google('gemini-2.0-flash'))`: same model, bounded concurrency. */
export function limitedGeminiModel(model: GeminiModel): ReturnType<typeof wrapLanguageModel> {
  return wrapLanguageModel({ model, middleware: geminiLimitMiddleware });
}
