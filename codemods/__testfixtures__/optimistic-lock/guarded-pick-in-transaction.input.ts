import { db } from '@/lib/db';

// Picking parts for a job: stock is checked inside the transaction, taken off, and the move is logged.
export async function POST(req: Request) {
  const { partId, qty } = (await req.json()) as { partId: string; qty: number };
  await db.$transaction(async (tx) => {
    const part = await tx.part.findUnique({ where: { id: partId } });
    if (!part || part.stockQty < qty) throw new Error('not enough stock');
    await tx.part.update({
      where: { id: partId },
      data: { stockQty: { decrement: qty } },
    });
    await tx.stockMove.create({ data: { partId, delta: -qty, balanceAfter: part.stockQty - qty } });
  });
  return Response.json({ ok: true });
}
