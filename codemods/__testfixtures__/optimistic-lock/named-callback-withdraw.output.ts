import { db } from '@/lib/db';
import { conflictOnMissingRow, ConflictError, conflictResponse } from '@/lib/genie/optimistic-lock';

// A customer withdraws an order that has not been handled yet; the ledger notes why. The transaction's work is
// written as a named callback and handed to $transaction below.
export async function POST(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const order = await db.order.findUnique({ where: { id } });
  if (!order) return Response.json({ error: 'no such order' }, { status: 404 });
  if (order.status !== 'pending') return Response.json({ error: `a ${order.status} order cannot be withdrawn` }, { status: 400 });

  try {
    const withdraw = async (tx: typeof db) => {
      await tx.stockMove.create({ data: { partId: id, delta: 0, balanceAfter: 0, note: 'order withdrawn' } });
      return tx.order.update({ where: { id, status: order.status }, data: { status: 'withdrawn' } });
    };
    const withdrawn = await db.$transaction(withdraw).catch(conflictOnMissingRow);
    return Response.json(withdrawn);
  } catch (err) {
    if (err instanceof ConflictError) return conflictResponse(err);
    console.error('withdraw failed', err);
    return Response.json({ error: 'could not withdraw the order' }, { status: 500 });
  }
}
