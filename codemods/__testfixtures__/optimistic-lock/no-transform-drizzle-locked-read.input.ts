import { eq } from 'drizzle-orm';
import { db } from '@/lib/drizzle';
import { wallets } from '@/lib/drizzle-schema';

// The row is read with FOR UPDATE inside the transaction: a second spend waits for the first to commit, then
// re-reads the lowered balance, so the check holds as written.
export async function POST(req: Request) {
  const { walletId, cost } = (await req.json()) as { walletId: string; cost: number };
  const spent = await db.transaction(async (tx) => {
    const [wallet] = await tx.select().from(wallets).where(eq(wallets.id, walletId)).for('update');
    if (!wallet || wallet.credits < cost) return false;
    await tx.update(wallets).set({ credits: wallet.credits - cost }).where(eq(wallets.id, walletId));
    return true;
  });
  return new Response(null, { status: spent ? 204 : 402 });
}
