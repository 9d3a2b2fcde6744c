import { z } from 'zod';
import { bearerHiker, notSignedIn } from '@/server/auth';
import { db } from '@/server/db';
import { geminiStreamUrl } from '@/server/gemini-url';

export const runtime = 'nodejs';

const Question = z.object({ question: z.string().trim().min(1).max(8_000) });

type GeminiEvent = { candidates?: Array<{ content?: { parts?: Array<{ text?: string }> } }> };

const UNAVAILABLE = 'The ranger cannot answer right now. Please try again in a minute.';

/** The text carried by one SSE event (`data: {...}` lines). */
function textOf(event: string): string {
  let text = '';
  for (const line of event.split('\n')) {
    if (!line.startsWith('data:')) continue;
    try {
      const parsed = JSON.parse(line.slice(5)) as GeminiEvent;
      for (const part of parsed.candidates?.[0]?.content?.parts ?? []) text += part.text ?? '';
    } catch {
      // a malformed event carries nothing we can show
    }
  }
  return text;
}

/** Ask the ranger: the answer streams back as plain text, chunk by chunk. */
export async function POST(req: Request) {
  const hiker = await bearerHiker(req);
  if (!hiker) return notSignedIn();
  const input = Question.safeParse(await req.json().catch(() => null));
  if (!input.success) return Response.json({ message: 'ask a question' }, { status: 400 });

  const trails = await db.trail.findMany({ orderBy: { rating: 'desc' }, take: 6, select: { name: true, region: true, lengthKm: true, notes: true } });
  const briefing = trails.map((t) => `${t.name} (${t.region}, ${t.lengthKm} km): ${t.notes}`).join('\n');

  let upstream: Response;
  try {
    upstream = await fetch(geminiStreamUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': process.env.GEMINI_API_KEY ?? '' },
      body: JSON.stringify({
        systemInstruction: { parts: [{ text: `You are a park ranger helping ${hiker.displayName}. Trails you know:\n${briefing}` }] },
        contents: [{ role: 'user', parts: [{ text: input.data.question }] }],
      }),
    });
  } catch (err) {
    console.error('ranger: Gemini unreachable', err);
    return new Response(UNAVAILABLE, { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
  if (!upstream.ok || !upstream.body) {
    console.error(`ranger: Gemini answered ${upstream.status}`);
    return new Response(UNAVAILABLE, { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }

  const reader = upstream.body.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      let sse = '';
      let cursor = 0;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          sse += decoder.decode(value, { stream: true }).replace(/\r/g, '');
          // long answers: drop the oldest half so the buffer cannot grow without limit
          if (sse.length > 1_000_000) sse = sse.slice(-500_000);
          let boundary = sse.indexOf('\n\n', cursor);
          while (boundary !== -1) {
            const text = textOf(sse.slice(cursor, boundary));
            if (text) controller.enqueue(encoder.encode(text));
            cursor = boundary + 2;
            boundary = sse.indexOf('\n\n', cursor);
          }
        }
      } catch (err) {
        console.error('ranger: stream broke', err);
      }
      controller.close();
    },
    cancel() {
      void reader.cancel();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
}
