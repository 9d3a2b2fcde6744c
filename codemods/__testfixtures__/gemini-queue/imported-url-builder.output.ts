import { endpointFor } from '../../../lib/llm-endpoint';
import { queuedGeminiFetch } from '@/lib/genie/gemini-queue';

export async function POST(req: Request) {
  const res = await queuedGeminiFetch(endpointFor('gemini-2.0-flash'), { method: 'POST', body: await req.text() });
  return new Response(res.body, { status: res.status });
}
