import { db } from '@/lib/db';

// The read sits in a one-line helper of this module; the spend is checked and written in the handler.
async function walletOf(accountId: string) {
  return db.wallet.findUnique({ where: { accountId } });
}

export async function POST(req: Request) {
  const { accountId, price } = (await req.json()) as { accountId: string; price: number };
  const wallet = await walletOf(accountId);
  if (!wallet) return Response.json({ error: 'no wallet' }, { status: 404 });
  if (wallet.balance < price) return Response.json({ error: 'insufficient funds' }, { status: 402 });
  await db.wallet.update({ where: { accountId }, data: { balance: wallet.balance - price } });
  return Response.json({ ok: true });
}
