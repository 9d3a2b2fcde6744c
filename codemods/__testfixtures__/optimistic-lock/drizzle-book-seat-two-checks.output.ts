import { and, eq, gte, sql } from 'drizzle-orm';
import { db } from '@/lib/drizzle';
import { flights } from '@/lib/drizzle-schema';
import { conflictResponse } from '@/lib/genie/optimistic-lock';

// Books a seat: the flight must still be open and have a seat left. Either check can fail by the time the write
// runs, so no single answer fits a row that no longer matches: that one is a 409.
export async function POST(req: Request) {
  const { flightId } = (await req.json()) as { flightId: number };
  const [flight] = await db.select().from(flights).where(eq(flights.id, flightId));
  if (!flight) return Response.json({ error: 'unknown flight' }, { status: 404 });
  if (flight.status !== 'open') return Response.json({ error: 'booking closed' }, { status: 409 });
  const remaining = flight.seatsLeft - 1;
  if (remaining < 0) return Response.json({ error: 'sold out' }, { status: 410 });
  const updated = await db.update(flights).set({ seatsLeft: sql`${flights.seatsLeft} - ${1}` }).where(and(eq(flights.id, flight.id), eq(flights.status, 'open'), gte(sql`${flights.seatsLeft} - ${1}`, 0))).returning({ id: flights.id });
  if (updated.length === 0) return conflictResponse();
  return Response.json({ booked: true }, { status: 201 });
}
