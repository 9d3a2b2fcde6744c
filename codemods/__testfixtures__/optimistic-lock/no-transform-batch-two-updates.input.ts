import { db } from '@/lib/db';

// Moves stock from one shelf to another: the second update could also miss its row, so a P2025 would not
// mean "the first row changed since it was read".
export async function POST(req: Request) {
  try {
    const { fromId, toId, qty } = (await req.json()) as { fromId: string; toId: string; qty: number };
    const from = await db.part.findUnique({ where: { id: fromId } });
    if (!from) return Response.json({ error: 'unknown part' }, { status: 404 });
    if (from.stockQty < qty) return Response.json({ error: 'short of stock' }, { status: 400 });
    await db.$transaction([
      db.part.update({ where: { id: fromId }, data: { stockQty: from.stockQty - qty } }),
      db.part.update({ where: { id: toId }, data: { stockQty: { increment: qty } } }),
    ]);
    return Response.json({ moved: qty });
  } catch (error) {
    return Response.json({ error: String(error) }, { status: 500 });
  }
}
