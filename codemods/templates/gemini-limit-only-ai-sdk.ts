/**
 * The Gemini queue's limit without its retries, for AI SDK models (`@ai-sdk/google`) whose calls the app already
 * retries on 429 itself (`withRetry(() => generateText({ model, … }))`): every streamText / generateText /
 * generateObject call using the wrapped model waits for a slot of the process-wide limit (bounded by
 * GEMINI_MAX_WAIT_MS), and every error, the AI SDK's APICallError for a 429 included, reaches the app's retry
 * untouched, so retries do not multiply. A stream holds its slot until it is read to the end or cancelled.
 * Typed against the middleware shape for ai 4.3, 5 and 6, as ./gemini-queue-ai-sdk.ts explains.
 */
import { wrapLanguageModel } from 'ai';
import { runGeminiLimited, runGeminiLimitedHolding } from './gemini-limit-only.js';
import { releaseWhenStreamEnds } from './gemini-stream-release.js';

type WrapOptions = Parameters<typeof wrapLanguageModel>[0];
type Middleware = Exclude<WrapOptions['middleware'], readonly unknown[]>;

interface CallOptions {
  params: { abortSignal?: AbortSignal };
}

const limitMiddleware = {
  specificationVersion: 'v3' as const,
  wrapGenerate: <R>({ doGenerate, params }: CallOptions & { doGenerate: () => PromiseLike<R> }): Promise<R> =>
    runGeminiLimited(() => Promise.resolve(doGenerate()), params.abortSignal),
  wrapStream: async <R extends { stream: ReadableStream<P> }, P>({
    doStream,
    params,
  }: CallOptions & { doStream: () => PromiseLike<R> }): Promise<R> => {
    const { value, release } = await runGeminiLimitedHolding(() => Promise.resolve(doStream()), params.abortSignal);
    return { ...value, stream: releaseWhenStreamEnds(value.stream, release) };
  },
};

/** The limit as an AI SDK middleware, for apps that compose their own `wrapLanguageModel({ middleware: [...] })`. */
export const geminiLimitMiddleware: Middleware = limitMiddleware;

/** `google('gemini-2.0-flash')` → `limitedGeminiModel(google('gemini-2.0-flash'))`: same model, bounded concurrency. */
export function limitedGeminiModel(model: WrapOptions['model']): ReturnType<typeof wrapLanguageModel> {
  return wrapLanguageModel({ model, middleware: geminiLimitMiddleware });
}
