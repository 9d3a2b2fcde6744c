import { eq } from 'drizzle-orm';
import { db } from '@/lib/drizzle';
import { tickets } from '@/lib/drizzle-mysql-schema';

// The same check-then-act on a MySQL table: without RETURNING, whether the guarded write matched is the driver's to say.
export async function POST(req: Request) {
  const { id } = (await req.json()) as { id: string };
  const [ticket] = await db.select().from(tickets).where(eq(tickets.id, id));
  if (!ticket) return Response.json({ error: 'unknown' }, { status: 404 });
  if (ticket.remaining <= 0) return Response.json({ error: 'sold out' }, { status: 410 });
  await db.update(tickets).set({ remaining: ticket.remaining - 1 }).where(eq(tickets.id, id));
  return Response.json({ ok: true });
}
