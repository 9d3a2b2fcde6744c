import { google } from '@ai-sdk/google';
import { openai } from '@ai-sdk/openai';
import { streamText } from 'ai';
import { createRetryable } from 'ai-retry';

const resilient = createRetryable({
  model: google('gemini-2.5-flash'),
  retries: [openai('gpt-4o-mini')],
});

export async function POST(req: Request) {
  const { prompt } = (await req.json()) as { prompt: string };
  return streamText({ model: resilient, prompt }).toTextStreamResponse();
}
