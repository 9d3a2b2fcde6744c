// Several free-tier keys: on a quota error the next key is tried, up to one pass over all of them.
const KEYS = (process.env.GEMINI_KEYS ?? '').split(',').filter(Boolean);
const ENDPOINT = 'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent';

export async function POST(req: Request) {
  const { prompt } = (await req.json()) as { prompt: string };
  for (let keyIndex = 0; keyIndex < KEYS.length; keyIndex++) {
    const res = await fetch(`${ENDPOINT}?key=${KEYS[keyIndex]}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ parts: [{ text: prompt }] }] }),
    });
    if (res.status === 429) continue;
    return new Response(res.body, { status: res.status });
  }
  return Response.json({ error: 'all keys are over quota' }, { status: 503 });
}
