import { db } from '@/lib/db';
import { conflictOnMissingRow, ConflictError, conflictResponse } from '@/lib/genie/optimistic-lock';

// Takes parts out of stock for a job; the move records what was left.
export async function PATCH(req: Request) {
  const { partId, used } = (await req.json()) as { partId: string; used: number };
  const part = await db.part.findUnique({ where: { id: partId } });
  if (!part) return Response.json({ error: 'unknown part' }, { status: 404 });
  if (part.stockQty - used < 0) return Response.json({ error: 'short of stock' }, { status: 409 });

  try {
    const move = await db.$transaction(async (tx) => {
      await tx.part.update({ where: { id: partId, stockQty: part.stockQty }, data: { stockQty: part.stockQty - used } });
      return tx.stockMove.create({ data: { partId, delta: -used, balanceAfter: part.stockQty - used } });
    }).catch(conflictOnMissingRow);
    return Response.json(move, { status: 201 });
  } catch (err) {
    if (err instanceof ConflictError) return conflictResponse(err);
    throw err;
  }
}
