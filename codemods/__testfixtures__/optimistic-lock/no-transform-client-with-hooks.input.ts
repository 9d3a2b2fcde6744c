import { db } from '@/lib/audited-db';

// The same check-then-spend, through a client whose update is audited by a query hook: the conditional updateMany
// the fix needs would not be audited, so it is reported instead.
export async function POST(req: Request) {
  const { accountId, price } = (await req.json()) as { accountId: string; price: number };
  const wallet = await db.wallet.findUnique({ where: { accountId } });
  if (!wallet) return Response.json({ error: 'no wallet' }, { status: 404 });
  if (wallet.balance < price) {
    return Response.json({ error: 'insufficient funds' }, { status: 402 });
  }
  await db.wallet.update({ where: { accountId }, data: { balance: { decrement: price } } });
  return Response.json({ ok: true });
}
