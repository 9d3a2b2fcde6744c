import { db } from '@/lib/db';

// Booking a bench slot: a part's shelf holds at most `capacity`, a column of the same row. The row is looked up
// by its owner and kept by id for the write inside the transaction.
export async function POST(req: Request) {
  const { partId, ownerId } = (await req.json()) as { partId: string; ownerId: string };
  let shelfId: string | null = null;
  const part = await db.part.findFirst({ where: { id: partId, ownerId } });
  if (!part) return Response.json({ error: 'unknown part' }, { status: 404 });
  if (part.capacity && part.stockQty >= part.capacity) throw new Error('shelf is full');
  shelfId = part.id;
  await db.$transaction(async (tx) => {
    await tx.stockMove.create({ data: { partId, delta: 1, balanceAfter: part.stockQty + 1 } });
    await tx.part.update({ where: { id: shelfId }, data: { stockQty: { increment: 1 } } });
  });
  return Response.json({ ok: true });
}
