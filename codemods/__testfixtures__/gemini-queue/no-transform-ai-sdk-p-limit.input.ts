import { google } from '@ai-sdk/google';
import { generateText } from 'ai';
import pLimit from 'p-limit';

const twoAtATime = pLimit(2);

export async function POST(req: Request) {
  const { items } = (await req.json()) as { items: string[] };
  const labels = await Promise.all(
    items.map((item) => twoAtATime(() => generateText({ model: google('gemini-2.0-flash'), prompt: `Label: ${item}` }))),
  );
  return Response.json({ labels: labels.map((l) => l.text) });
}
