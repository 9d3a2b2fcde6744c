import { openai } from '@ai-sdk/openai';
import { streamText } from 'ai';

export async function POST(req: Request) {
  const { prompt } = (await req.json()) as { prompt: string };
  return streamText({ model: openai('gpt-4o-mini'), prompt }).toTextStreamResponse();
}
