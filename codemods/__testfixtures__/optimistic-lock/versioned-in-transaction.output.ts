import { db } from '@/lib/db';
import { conflictOnMissingRow, ConflictError, conflictResponse } from '@/lib/genie/optimistic-lock';

// Flips an item inside a transaction; reading inside the transaction alone does not lock the row.
export async function POST(req: Request) {
  const { itemId } = (await req.json()) as { itemId: number };
  try {
    const saved = await db.$transaction(async (tx) => {
      const item = await tx.checklistItem.findUnique({ where: { id: itemId } });
      if (!item) throw new Error('gone');
      return tx.checklistItem.update({ where: { id: itemId, version: item.version }, data: { completed: !item.completed, version: { increment: 1 } } });
    }).catch(conflictOnMissingRow);
    return Response.json(saved);
  } catch (e) {
    if (e instanceof ConflictError) return conflictResponse(e);
    return Response.json({ error: 'failed' }, { status: 500 });
  }
}
