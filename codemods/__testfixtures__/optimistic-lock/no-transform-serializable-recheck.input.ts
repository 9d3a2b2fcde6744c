import { db } from '@/lib/db';

// Reads, checks and writes in one serializable transaction: two concurrent runs cannot both commit.
export async function POST(req: Request) {
  const { partId, take } = (await req.json()) as { partId: string; take: number };
  const left = await db.$transaction(
    async (tx) => {
      const part = await tx.part.findUnique({ where: { id: partId } });
      if (!part || part.stockQty < take) throw new Error('short of stock');
      await tx.part.update({ where: { id: partId }, data: { stockQty: part.stockQty - take } });
      await tx.stockMove.create({ data: { partId, delta: -take, balanceAfter: part.stockQty - take } });
      return part.stockQty - take;
    },
    { isolationLevel: 'Serializable' },
  );
  return Response.json({ left });
}
