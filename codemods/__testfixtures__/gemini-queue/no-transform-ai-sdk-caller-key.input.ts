import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { streamText } from 'ai';

// Each visitor brings their own Gemini key.
export async function POST(req: Request) {
  const visitorKey = req.headers.get('x-visitor-gemini-key') ?? '';
  const { prompt } = (await req.json()) as { prompt: string };
  const model = createGoogleGenerativeAI({ apiKey: visitorKey })('gemini-2.0-flash');
  return streamText({ model, prompt }).toTextStreamResponse();
}
