export async function POST(req: Request) {
  const userKey = req.headers.get('x-user-gemini-key') ?? '';
  const body = await req.text();
  const upstream = await fetch(`https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent?key=${userKey}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return new Response(upstream.body, { status: upstream.status });
}
