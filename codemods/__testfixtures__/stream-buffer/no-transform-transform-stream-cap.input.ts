// An SSE relay written as a TransformStream: the pending text is cut past a cap inside transform(),
// which drops the start of any long event. It is reported (the rewrite changes the stream's shape).
const LIMIT = 64 * 1024;

export function relayEvents(upstream: ReadableStream<Uint8Array>): ReadableStream<string> {
  const decoder = new TextDecoder();
  let pending = '';
  return upstream.pipeThrough(
    new TransformStream<Uint8Array, string>({
      transform(chunk, controller) {
        pending += decoder.decode(chunk, { stream: true });
        if (pending.length > LIMIT) pending = pending.slice(-LIMIT);
        const events = pending.split('\n\n');
        pending = events.pop() ?? '';
        for (const event of events) controller.enqueue(event);
      },
    }),
  );
}

// A preview cut outside any stream callback is not ours.
export function preview(text: string): string {
  let shown = text;
  if (shown.length > 80) shown = shown.slice(0, 80);
  return shown;
}
