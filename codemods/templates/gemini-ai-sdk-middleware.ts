/**
 * A Gemini queue slot around each AI SDK model call, as a wrapLanguageModel middleware: the call waits for a slot,
 * a generate call frees it when it settles, and a stream holds it until it is read to the end or cancelled (the
 * provider opens the HTTP request in doStream, and the reply is in flight at Gemini for as long as it streams).
 * Which policy fills the slot (retrying or limit-only) is the `runHolding` it is given.
 *
 * Types: written against the middleware shape, not a named type, because `ai` v4 (LanguageModelV1Middleware,
 * optional `middlewareVersion: 'v1'`), v5 (LanguageModelV2Middleware, optional 'v2') and v6 (LanguageModelV3Middleware,
 * required `specificationVersion: 'v3'`) name and tag it differently: the object carries only v6's tag (extra
 * properties are fine for v4/v5) and takes the model type from wrapLanguageModel itself. Checked on ai 4.3, 5.0, 6.0.
 */
import { wrapLanguageModel } from 'ai';
import { releaseWhenStreamEnds } from './gemini-stream-release.js';

type WrapOptions = Parameters<typeof wrapLanguageModel>[0];
export type GeminiModel = WrapOptions['model'];
export type Middleware = Exclude<WrapOptions['middleware'], readonly unknown[]>;

/** Runs `task` in a slot and hands the slot back with the value: `release` frees it (idempotent). */
export type RunHolding = <T>(task: () => Promise<T>, signal?: AbortSignal | null) => Promise<{ value: T; release: () => void }>;

interface CallOptions {
  params: { abortSignal?: AbortSignal };
}

export function slotMiddleware(runHolding: RunHolding): Middleware {
  const middleware = {
    specificationVersion: 'v3' as const,
    wrapGenerate: async <R>({ doGenerate, params }: CallOptions & { doGenerate: () => PromiseLike<R> }): Promise<R> => {
      const { value, release } = await runHolding(() => Promise.resolve(doGenerate()), params.abortSignal);
      release();
      return value;
    },
    wrapStream: async <R extends { stream: ReadableStream<P> }, P>({
      doStream,
      params,
    }: CallOptions & { doStream: () => PromiseLike<R> }): Promise<R> => {
      const { value, release } = await runHolding(() => Promise.resolve(doStream()), params.abortSignal);
      return { ...value, stream: releaseWhenStreamEnds(value.stream, release) };
    },
  };
  return middleware;
}
