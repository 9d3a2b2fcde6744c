import { google } from '@ai-sdk/google';
import { streamText } from 'ai';
import { queuedGeminiModel } from '@/lib/genie/gemini-queue-ai-sdk';

export async function POST(req: Request) {
  const { question } = (await req.json()) as { question: string };
  const answer = streamText({
    model: queuedGeminiModel(google('gemini-2.0-flash')),
    system: 'Answer in two sentences.',
    prompt: question,
  });
  return answer.toTextStreamResponse();
}
