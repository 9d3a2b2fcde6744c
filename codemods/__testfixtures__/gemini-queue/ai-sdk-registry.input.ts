import { google } from '@ai-sdk/google';
import { openai } from '@ai-sdk/openai';
import { customProvider, streamText } from 'ai';

const models = customProvider({
  languageModels: {
    quick: google('gemini-2.0-flash-lite'),
    deep: google('gemini-2.5-pro'),
    backup: openai('gpt-4o-mini'),
  },
});

export async function POST(req: Request) {
  const { tier, prompt } = (await req.json()) as { tier: 'quick' | 'deep' | 'backup'; prompt: string };
  return streamText({ model: models.languageModel(tier), prompt }).toTextStreamResponse();
}
