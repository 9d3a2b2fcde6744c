import { db } from '@/lib/db';

// Paying from a wallet: the balance is checked, then the database takes the price off.
export async function POST(req: Request) {
  const { accountId, price } = (await req.json()) as { accountId: string; price: number };
  const wallet = await db.wallet.findUnique({ where: { accountId } });
  if (!wallet) return Response.json({ error: 'no wallet' }, { status: 404 });
  if (wallet.balance < price) {
    return Response.json({ error: 'insufficient funds' }, { status: 402 });
  }
  const { count: matched } = await db.wallet.updateMany({ where: { accountId, balance: { gte: price } }, data: { balance: { decrement: price } } });
  // No row matched: a concurrent request got past the same check first.
  if (matched === 0) {
    return Response.json({ error: 'insufficient funds' }, { status: 402 });
  }
  return Response.json({ ok: true });
}
