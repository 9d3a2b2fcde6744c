import { db } from '@/lib/db';

// Restocking up to the shelf's capacity: the bound is another column of the same row, so the check cannot be
// moved into a where as a constant; it is reported, not rewritten.
export async function POST(req: Request) {
  const { partId, qty } = (await req.json()) as { partId: string; qty: number };
  const part = await db.part.findUnique({ where: { id: partId } });
  if (!part) return Response.json({ error: 'unknown part' }, { status: 404 });
  if (part.stockQty + qty > part.capacity) return Response.json({ error: 'over capacity' }, { status: 409 });
  await db.part.update({ where: { id: partId }, data: { stockQty: { increment: qty } } });
  return Response.json({ ok: true });
}
