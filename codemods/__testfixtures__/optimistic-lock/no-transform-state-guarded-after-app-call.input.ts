import { db } from '@/lib/db';
import { notifyWarehouse } from '@/lib/warehouse';

// Between the check and the write the app calls code of its own, which may move the order on itself: the checked
// state need not hold at the write, so the write stays as written.
export async function PATCH(req: Request) {
  const { id, note } = (await req.json()) as { id: string; note: string };
  const order = await db.order.findUnique({ where: { id } });
  if (!order) return Response.json({ error: 'no such order' }, { status: 404 });
  if (order.status !== 'pending') return Response.json({ error: 'not pending' }, { status: 409 });
  await notifyWarehouse(order.id);
  await db.order.update({ where: { id }, data: { note } });
  return Response.json({ ok: true });
}
