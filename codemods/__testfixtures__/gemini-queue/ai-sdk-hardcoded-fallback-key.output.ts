import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { generateText } from 'ai';
import { queuedGeminiModel } from '@/lib/genie/gemini-queue-ai-sdk';

// A key written into the code as the fallback: not a user's own key, and never repeated in genie-fix's output.
export async function POST(req: Request) {
  const { text } = (await req.json()) as { text: string };
  const model = queuedGeminiModel(createGoogleGenerativeAI({ apiKey: process.env.GOOGLE_API_KEY || 'AIzaSyNotARealKeyWrittenForThisTest00' })('gemini-2.0-flash'));
  const { text: reply } = await generateText({ model, prompt: text });
  return Response.json({ reply });
}
