import { db } from '@/lib/db';

declare function currentAccount(): Promise<{ accountId?: string }>;

// The write names the wallet with a non-null assertion the read did not need: still the same row.
export async function POST(req: Request) {
  const { price } = (await req.json()) as { price: number };
  const me = await currentAccount();
  const wallet = await db.wallet.findUnique({ where: { accountId: me.accountId } });
  if (!wallet || wallet.balance < price) return Response.json({ error: 'insufficient funds' }, { status: 402 });
  await db.wallet.update({ where: { accountId: me.accountId! }, data: { balance: { decrement: price } } });
  return Response.json({ ok: true });
}
