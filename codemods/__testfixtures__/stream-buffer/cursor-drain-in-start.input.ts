export async function POST(req: Request) {
  const { prompt } = (await req.json()) as { prompt: string };
  const upstream = await fetch(`${process.env.MODEL_GATEWAY}/events`, { method: 'POST', body: prompt });
  const reader = upstream.body!.getReader();
  const decoder = new TextDecoder();
  const out = new ReadableStream<string>({
    async start(controller) {
      let pending = '';
      let at = 0;
      try {
        while (true) {
          const { done, value } = await reader.read();
          if (done) break;
          pending += decoder.decode(value, { stream: true });
          if (pending.length > 750_000) pending = pending.slice(-250_000);
          let end = pending.indexOf('\n\n', at);
          while (end !== -1) {
            const chunk = pending.slice(at, end);
            if (chunk.startsWith('data: ')) controller.enqueue(chunk.slice(6));
            at = end + 2;
            end = pending.indexOf('\n\n', at);
          }
        }
      } finally {
        controller.close();
      }
    },
  });
  return new Response(out.pipeThrough(new TextEncoderStream()));
}
