import { generateText } from 'ai';
import { writerModel } from '@/lib/writer-model';

export async function POST(req: Request) {
  const { draft } = (await req.json()) as { draft: string };
  const { text } = await generateText({ model: writerModel, prompt: `Rewrite more plainly:\n${draft}` });
  return Response.json({ text });
}
