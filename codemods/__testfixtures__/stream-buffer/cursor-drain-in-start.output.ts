import { createLineSplitter } from '@/lib/genie/line-splitter';

export async function POST(req: Request) {
  const { prompt } = (await req.json()) as { prompt: string };
  const upstream = await fetch(`${process.env.MODEL_GATEWAY}/events`, { method: 'POST', body: prompt });
  const reader = upstream.body!.getReader();
  const decoder = new TextDecoder();
  const out = new ReadableStream<string>({
    async start(controller) {
      const pendingLines = createLineSplitter();
      try {
        while (true) {
          const { done, value } = await reader.read();
          if (done) break;
          for (const line of pendingLines.push(decoder.decode(value, { stream: true }))) {
            if (line === '') continue; // events arrive line by line; blank lines only separate them
            const chunk = line;
            if (chunk.startsWith('data: ')) controller.enqueue(chunk.slice(6));
          }
        }
      } finally {
        controller.close();
      }
    },
  });
  return new Response(out.pipeThrough(new TextEncoderStream()));
}
