import { db } from '@/lib/db';

// Restocking: the database adds the delivery, and the ledger takes the balance the update returned.
export async function POST(req: Request) {
  const { partId, delivered } = (await req.json()) as { partId: string; delivered: number };
  const part = await db.part.findUnique({ where: { id: partId } });
  if (!part) return Response.json({ error: 'unknown part' }, { status: 404 });
  const saved = await db.$transaction(async (tx) => {
    const row = await tx.part.update({ where: { id: part.id }, data: { stockQty: { increment: delivered } } });
    await tx.stockMove.create({ data: { partId, delta: delivered, balanceAfter: row.stockQty } });
    return row;
  });
  return Response.json(saved);
}
