import { chatModel } from '@/lib/gemini-model';
import { withBackoff } from '@/lib/backoff';

export async function POST(req: Request) {
  const { topic } = (await req.json()) as { topic: string };
  const out = await withBackoff(() => chatModel.generateContent(`Three facts about ${topic}`));
  return Response.json({ facts: out.response.text() });
}
