import { google } from '@ai-sdk/google';
import { streamText, wrapLanguageModel, type LanguageModelMiddleware } from 'ai';

const logCalls: LanguageModelMiddleware = {
  specificationVersion: 'v3',
  wrapGenerate: async ({ doGenerate }) => {
    console.log('generate');
    return doGenerate();
  },
};

const model = wrapLanguageModel({ model: google('gemini-2.0-flash'), middleware: logCalls });

export async function POST(req: Request) {
  const { prompt } = (await req.json()) as { prompt: string };
  return streamText({ model, prompt }).toTextStreamResponse();
}
