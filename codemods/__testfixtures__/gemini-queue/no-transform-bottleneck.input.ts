import Bottleneck from 'bottleneck';

const GEMINI = `https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent?key=${process.env.GEMINI_API_KEY}`;
// Spaced and capped by the app itself: at most 4 running, 250 ms apart.
const limiter = new Bottleneck({ maxConcurrent: 4, minTime: 250 });

export async function POST(req: Request) {
  const payload = await req.text();
  const res = await limiter.schedule(() => fetch(GEMINI, { method: 'POST', body: payload }));
  return new Response(res.body, { status: res.status });
}
