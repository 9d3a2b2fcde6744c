import { google } from '@ai-sdk/google';

// Calls the provider model directly, without the `ai` package: there is no wrapLanguageModel to use.
export async function POST(req: Request) {
  const { prompt } = (await req.json()) as { prompt: string };
  const model = google('gemini-2.0-flash');
  const result = await model.doGenerate({ prompt: [{ role: 'user', content: [{ type: 'text', text: prompt }] }] });
  return Response.json({ content: result.content });
}
