import type { NextRequest } from 'next/server';
import { bearerHiker, notSignedIn } from '@/server/auth';
import { db } from '@/server/db';

export async function GET(req: NextRequest) {
  const hiker = await bearerHiker(req);
  if (!hiker) return notSignedIn();

  const region = req.nextUrl.searchParams.get('region') ?? undefined;
  const trails = await db.trail.findMany({
    where: region ? { region } : undefined,
    orderBy: { rating: 'desc' },
    take: 12,
    include: { _count: { select: { summits: true } } },
  });
  return Response.json({ trails });
}
