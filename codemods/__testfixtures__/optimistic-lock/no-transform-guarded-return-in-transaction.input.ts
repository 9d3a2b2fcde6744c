import { db } from '@/lib/db';

// A check answered with a return inside a transaction: a conditional write there would have to throw to
// undo what the callback wrote first, which changes the route's answer; it is reported.
export async function POST(req: Request) {
  const { partId, qty } = (await req.json()) as { partId: string; qty: number };
  const result = await db.$transaction(async (tx) => {
    await tx.stockMove.create({ data: { partId, delta: -qty, balanceAfter: 0, note: 'requested' } });
    const part = await tx.part.findUnique({ where: { id: partId } });
    if (!part || part.stockQty < qty) return { ok: false };
    await tx.part.update({ where: { id: partId }, data: { stockQty: { decrement: qty } } });
    return { ok: true };
  });
  return Response.json(result);
}
