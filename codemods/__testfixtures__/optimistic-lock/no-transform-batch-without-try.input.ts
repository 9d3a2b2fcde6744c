import { db } from '@/lib/db';

// No try/catch here: a conflict would leave the handler as an unhandled error (500), not a 409.
export async function POST(req: Request) {
  const { partId, used } = (await req.json()) as { partId: string; used: number };
  const part = await db.part.findUnique({ where: { id: partId } });
  if (!part) return Response.json({ error: 'unknown part' }, { status: 404 });
  const left = part.stockQty - used;
  if (left < 0) return Response.json({ error: 'short of stock' }, { status: 400 });
  const [saved] = await db.$transaction([
    db.part.update({ where: { id: partId }, data: { stockQty: left } }),
    db.stockMove.create({ data: { partId, delta: -used, balanceAfter: left } }),
  ]);
  return Response.json(saved);
}
