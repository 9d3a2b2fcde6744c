import { endpointFor } from '../../../lib/llm-endpoint';

export async function POST(req: Request) {
  const res = await fetch(endpointFor('gemini-2.0-flash'), { method: 'POST', body: await req.text() });
  return new Response(res.body, { status: res.status });
}
