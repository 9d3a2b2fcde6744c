import { eq } from 'drizzle-orm';
import { db } from '@/lib/drizzle';
import { wallets } from '@/lib/drizzle-schema';

// The owner check reads the row, but the note written comes from the request alone: nothing read feeds the write.
export async function PATCH(req: Request) {
  const { walletId, ownerId, note } = (await req.json()) as { walletId: string; ownerId: string; note: string };
  const [wallet] = await db.select().from(wallets).where(eq(wallets.id, walletId));
  if (!wallet || wallet.ownerId !== ownerId) return new Response(null, { status: 404 });
  await db.update(wallets).set({ note }).where(eq(wallets.id, walletId));
  return new Response(null, { status: 204 });
}
