import { unstable_cache } from 'next/cache';
import { prisma } from '@/lib/prisma';
import { getSessionUser } from '@/lib/session';

export async function GET(request: Request) {
  const user = await getSessionUser(request);
  if (!user) return new Response(null, { status: 401 });
  // Leaks: user.id is closed over, not part of the key.
  const getTrips = unstable_cache(async () => prisma.trip.findMany({ where: { userId: user.id } }), ['trips'], { revalidate: 60 });
  // Fine: the user id is an argument, so it is in the key.
  const getExpenses = unstable_cache(async (userId: number) => prisma.expense.findMany({ where: { userId } }), ['expenses'], { revalidate: 60 });
  return Response.json({ trips: await getTrips(), expenses: await getExpenses(user.id) });
}
