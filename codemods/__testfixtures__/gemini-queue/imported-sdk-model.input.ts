import { chatModel } from '@/lib/gemini-model';

export const POST = async (req: Request) => {
  const { prompt } = (await req.json()) as { prompt: string };
  const result = await chatModel.generateContentStream(prompt);
  const encoder = new TextEncoder();
  return new Response(
    new ReadableStream({
      async start(c) {
        for await (const chunk of result.stream) c.enqueue(encoder.encode(chunk.text()));
        c.close();
      },
    }),
  );
};
