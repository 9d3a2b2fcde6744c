import { db } from '@/lib/db';

// Picking parts for a job: stock is checked inside the transaction, taken off, and the move is logged.
export async function POST(req: Request) {
  const { partId, qty } = (await req.json()) as { partId: string; qty: number };
  await db.$transaction(async (tx) => {
    const part = await tx.part.findUnique({ where: { id: partId } });
    if (!part || part.stockQty < qty) throw new Error('not enough stock');
    const { count: matched } = await tx.part.updateMany({
      where: { id: partId, stockQty: { gte: qty } },
      data: { stockQty: { decrement: qty } },
    });
    // No row matched: a concurrent request got past the same check first.
    if (matched === 0) throw new Error('not enough stock');
    await tx.stockMove.create({ data: { partId, delta: -qty, balanceAfter: part.stockQty - qty } });
  });
  return Response.json({ ok: true });
}
