/**
 * A queue slot is held until a streamed reply ends, because the reply is in flight at Gemini for as long as it
 * streams: these re-wrap a stream (or a Response body) so the slot is freed exactly once, when the reader reaches
 * the end, errors or cancels. Part of the Gemini queue (./gemini-queue.ts).
 */

export type Release = () => void;

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
export function releaseWhenBodyEnds(response: Response, release: Release): Response {
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
