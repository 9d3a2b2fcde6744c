import { eq } from 'drizzle-orm';
import { db } from '@/lib/drizzle';
import { wallets } from '@/lib/drizzle-schema';

// Read, check and write inside one serializable transaction: the database aborts one of two racing runs.
export async function POST(req: Request) {
  const { walletId, cost } = (await req.json()) as { walletId: string; cost: number };
  const ok = await db.transaction(
    async (tx) => {
      const [wallet] = await tx.select().from(wallets).where(eq(wallets.id, walletId));
      if (!wallet || wallet.credits < cost) return false;
      await tx.update(wallets).set({ credits: wallet.credits - cost }).where(eq(wallets.id, walletId));
      return true;
    },
    { isolationLevel: 'serializable' },
  );
  return Response.json({ ok }, { status: ok ? 200 : 402 });
}
