import { prisma } from '@/lib/prisma';
import { getServerSession } from 'next-auth';

export async function POST(req: Request) {
  const session = await getServerSession();
  const userId = session?.user?.id;
  const trips = await prisma.trip.findMany({ where: { userId } });
  const res = await fetch('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent', {
    method: 'POST',
    body: JSON.stringify({ contents: [{ parts: [{ text: JSON.stringify(trips) + (await req.text()) }] }] }),
  });
  return new Response(res.body);
}
