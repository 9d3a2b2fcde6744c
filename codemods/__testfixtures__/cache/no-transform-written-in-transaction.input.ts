import { GoogleGenerativeAI } from '@google/generative-ai';
import { db } from '@/lib/db';

const genAI = new GoogleGenerativeAI(process.env.GEMINI_API_KEY!);

// The FAQ is the same for everyone, but editors rewrite it (lib/faq-admin.ts) inside a transaction.
export async function POST(req: Request) {
  const { question } = (await req.json()) as { question: string };
  const faqs = await db.faq.findMany({ orderBy: { position: 'asc' }, take: 20 });
  const model = genAI.getGenerativeModel({ model: 'gemini-2.0-flash' });
  const reply = await model.generateContent(`${JSON.stringify(faqs)}\n\nQ: ${question}`);
  return Response.json({ answer: reply.response.text() });
}
