import { google } from '@ai-sdk/google';
import { streamText } from 'ai';

export async function POST(req: Request) {
  const { question } = (await req.json()) as { question: string };
  const answer = streamText({
    model: google('gemini-2.0-flash'),
    system: 'Answer in two sentences.',
    prompt: question,
  });
  return answer.toTextStreamResponse();
}
