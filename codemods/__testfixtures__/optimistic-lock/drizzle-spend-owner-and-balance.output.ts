import { eq, and, gte, sql } from 'drizzle-orm';
import { db } from '@/lib/drizzle';
import { wallets } from '@/lib/drizzle-schema';
import { conflictResponse } from '@/lib/genie/optimistic-lock';

// Two checks before spending: the balance (written as `cost > balance`, answered with how much is missing) and the
// owner (answered by throwing). Both move into the where; since they answer differently, a row that no longer
// matches gets a 409.
export const POST = async (req: Request) => {
  const { walletId, ownerId, cost } = (await req.json()) as { walletId: string; ownerId: string; cost: number };
  const [wallet] = await db.select().from(wallets).where(eq(wallets.id, walletId));
  if (!wallet || cost > wallet.credits) {
    const missing = cost - (wallet?.credits ?? 0);
    return Response.json({ missing }, { status: 402 });
  }
  if (wallet.ownerId !== ownerId) throw new Error('not the owner');
  const updated = await db.update(wallets).set({ credits: sql`${wallets.credits} - ${cost}`, note: 'spent' }).where(and(eq(wallets.id, wallet.id), gte(wallets.credits, cost), eq(wallets.ownerId, ownerId))).returning({ id: wallets.id });
  if (updated.length === 0) return conflictResponse();
  return new Response(null, { status: 204 });
};
