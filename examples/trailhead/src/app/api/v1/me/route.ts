import { bearerHiker, notSignedIn } from '@/server/auth';
import { db } from '@/server/db';

export async function GET(req: Request) {
  const hiker = await bearerHiker(req);
  if (!hiker) return notSignedIn();

  const summits = await db.summit.findMany({
    where: { hikerId: hiker.id },
    orderBy: { loggedAt: 'desc' },
    take: 10,
    select: { loggedAt: true, trail: { select: { name: true, region: true } } },
  });
  const tallies = await db.tally.count({ where: { hikerId: hiker.id } });
  return Response.json({ hiker, summits, tallies });
}
