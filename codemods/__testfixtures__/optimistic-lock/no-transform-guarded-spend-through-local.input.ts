import { db } from '@/lib/db';

// Paying from a wallet found by its account; the wallet's id is kept in a local for the write.
export async function POST(req: Request) {
  const { accountId, price } = (await req.json()) as { accountId: string; price: number };
  const wallet = await db.wallet.findUnique({ where: { accountId } });
  if (!wallet) return Response.json({ error: 'no wallet' }, { status: 404 });
  const walletId = wallet.id;
  if (wallet.balance < price) return Response.json({ error: 'insufficient funds' }, { status: 402 });
  await db.wallet.update({ where: { id: walletId }, data: { balance: { decrement: price } } });
  return Response.json({ ok: true });
}
