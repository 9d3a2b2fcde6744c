import { google } from '@ai-sdk/google';
import { generateText, streamText } from 'ai';
import { queuedGeminiModel } from '@/lib/genie/gemini-queue-ai-sdk';

// One model for both handlers of this route.
const assistant = queuedGeminiModel(google('gemini-2.5-flash'));

export async function POST(req: Request) {
  const { notes } = (await req.json()) as { notes: string };
  return streamText({ model: assistant, prompt: `Turn these notes into a summary:\n${notes}` }).toTextStreamResponse();
}

export async function GET(req: Request) {
  const topic = new URL(req.url).searchParams.get('topic') ?? 'the weather';
  const { text } = await generateText({ model: assistant, prompt: `One fun fact about ${topic}.` });
  return Response.json({ fact: text });
}
