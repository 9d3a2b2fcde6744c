import { db } from '@/lib/db';

// The delivery note can change only while the order is pending. A shipment that starts in between would be
// written over anyway, so the pending state goes into the write, and the check's own answer is given when it failed.
export async function PATCH(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { note } = (await req.json()) as { note: string };
  const order = await db.order.findUnique({ where: { id } });
  if (!order) return Response.json({ error: 'no such order' }, { status: 404 });
  if (order.status !== 'pending') return Response.json({ error: 'the order has shipped' }, { status: 409 });
  const { count: matched } = await db.order.updateMany({ where: { id, status: 'pending' }, data: { note } });
  // No row matched: a concurrent request got past the same check first.
  if (matched === 0) return Response.json({ error: 'the order has shipped' }, { status: 409 });
  return Response.json({ ok: true });
}
