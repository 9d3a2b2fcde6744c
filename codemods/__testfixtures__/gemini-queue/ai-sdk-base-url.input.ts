import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { generateObject, jsonSchema } from 'ai';

const gemini = createGoogleGenerativeAI({
  baseURL: process.env.GEMINI_PROXY_URL ?? 'https://generativelanguage.googleapis.com/v1beta',
  apiKey: process.env.GEMINI_API_KEY,
});

const tagsSchema = jsonSchema<{ tags: string[] }>({
  type: 'object',
  properties: { tags: { type: 'array', items: { type: 'string' } } },
  required: ['tags'],
});

export async function POST(req: Request) {
  const { article } = (await req.json()) as { article: string };
  const { object } = await generateObject({ model: gemini('gemini-1.5-pro'), schema: tagsSchema, prompt: `Tag this article:\n${article}` });
  return Response.json(object);
}
