import { GoogleGenerativeAI } from '@google/generative-ai';
import { db } from '@/lib/db';
import { cached, cacheKey } from '@/lib/genie/cache';

const genAI = new GoogleGenerativeAI(process.env.GEMINI_API_KEY!);

export const POST = async (req: Request) => {
  const { question, category } = await req.json();
  const top = await cached(cacheKey('product.findMany', category), 5 * 60_000, () => db.product.findMany({ where: { category }, orderBy: { sales: 'desc' }, take: 10 }));
  const model = genAI.getGenerativeModel({ model: 'gemini-2.0-flash' });
  const out = await model.generateContent(`${question}\n${JSON.stringify(top)}`);
  return Response.json({ answer: out.response.text() });
};
