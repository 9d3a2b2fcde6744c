import { prisma } from '@/lib/prisma';

// Mentions GEMINI_MODEL for display only; there is no Gemini call, so nothing is cached here.
export async function GET() {
  const products = await prisma.cruiseProduct.findMany({ orderBy: { popularity: 'desc' }, take: 5 });
  return Response.json({ products, model: process.env.GEMINI_MODEL });
}
