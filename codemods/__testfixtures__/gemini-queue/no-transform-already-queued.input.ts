import { queuedGeminiFetch } from '@/lib/genie/gemini-queue';

const url = `${process.env.GEMINI_BASE_URL}/v1beta/models/gemini-2.0-flash:generateContent`;

export async function POST(req: Request) {
  const res = await queuedGeminiFetch(url, { method: 'POST', body: await req.text() });
  return new Response(res.body);
}
