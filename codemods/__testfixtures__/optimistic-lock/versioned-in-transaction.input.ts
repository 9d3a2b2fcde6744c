import { db } from '@/lib/db';

// Flips an item inside a transaction; reading inside the transaction alone does not lock the row.
export async function POST(req: Request) {
  const { itemId } = (await req.json()) as { itemId: number };
  try {
    const saved = await db.$transaction(async (tx) => {
      const item = await tx.checklistItem.findUnique({ where: { id: itemId } });
      if (!item) throw new Error('gone');
      return tx.checklistItem.update({ where: { id: itemId }, data: { completed: !item.completed } });
    });
    return Response.json(saved);
  } catch (e) {
    return Response.json({ error: 'failed' }, { status: 500 });
  }
}
