import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { generateText } from 'ai';
import { db } from '@/lib/db';
import { queuedGeminiModel } from '@/lib/genie/gemini-queue-ai-sdk';

// A workspace may store its own Gemini key; without one the app's key is used. Both kinds of call share one queue.
export async function POST(req: Request) {
  const { workspaceId, text } = (await req.json()) as { workspaceId: string; text: string };
  const workspace = await db.workspace.findUnique({ where: { id: workspaceId } });
  const model = queuedGeminiModel(createGoogleGenerativeAI({ apiKey: workspace?.geminiKey ?? process.env.GOOGLE_API_KEY })('gemini-2.0-flash'));
  const { text: reply } = await generateText({ model, prompt: text });
  return Response.json({ reply });
}
