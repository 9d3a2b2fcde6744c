import { db } from '@/lib/db';

// Withdrawing an order puts its part back on the shelf. The restock can itself miss its row (a part deleted
// meanwhile), so a conflict on the order could not be told apart from that.
export async function POST(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const order = await db.order.findUnique({ where: { id } });
  if (!order) return Response.json({ error: 'no such order' }, { status: 404 });
  if (order.status !== 'pending') return Response.json({ error: 'only a pending order can be withdrawn' }, { status: 400 });

  try {
    const restockAndWithdraw = async (tx: typeof db) => {
      await tx.part.update({ where: { id: `part-of-${id}` }, data: { stockQty: { increment: 1 } } });
      return tx.order.update({ where: { id }, data: { status: 'withdrawn' } });
    };
    const withdrawn = await db.$transaction(restockAndWithdraw, { timeout: 10_000 });
    return Response.json(withdrawn);
  } catch (err) {
    console.error('withdraw failed', err);
    return Response.json({ error: 'could not withdraw the order' }, { status: 500 });
  }
}
