import { eq } from 'drizzle-orm';
import { db } from '@/lib/drizzle';
import { wallets } from '@/lib/drizzle-schema';

// Only some callers are held to the balance check, so it cannot simply become a condition of every write.
export async function POST(req: Request) {
  const { walletId, cost, overdraft } = (await req.json()) as { walletId: string; cost: number; overdraft: boolean };
  const [wallet] = await db.select().from(wallets).where(eq(wallets.id, walletId));
  if (!wallet) return new Response(null, { status: 404 });
  if (!overdraft) {
    if (wallet.credits < cost) return new Response(null, { status: 402 });
  }
  await db.update(wallets).set({ credits: wallet.credits - cost }).where(eq(wallets.id, walletId));
  return new Response(null, { status: 204 });
}
