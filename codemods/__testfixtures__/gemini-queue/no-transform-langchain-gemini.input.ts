import { ChatGoogleGenerativeAI } from '@langchain/google-genai';

const chat = new ChatGoogleGenerativeAI({ model: 'gemini-2.0-flash', temperature: 0.2 });

export async function POST(req: Request) {
  const { question } = (await req.json()) as { question: string };
  const reply = await chat.invoke(question);
  return Response.json({ answer: reply.content });
}
