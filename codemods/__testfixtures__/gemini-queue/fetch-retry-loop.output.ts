import { limitedGeminiFetch } from '@/lib/genie/gemini-limit-only';

const endpoint = `https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent?key=${process.env.GEMINI_API_KEY}`;

export async function POST(req: Request) {
  const { question } = (await req.json()) as { question: string };
  const body = JSON.stringify({ contents: [{ parts: [{ text: question }] }] });
  for (let round = 0; round < 4; round++) {
    const res = await limitedGeminiFetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    if (res.status !== 429) return new Response(res.body, { status: res.status });
    await new Promise((later) => setTimeout(later, 300 * 2 ** round));
  }
  return Response.json({ error: 'busy, try again soon' }, { status: 503 });
}
