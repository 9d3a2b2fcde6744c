import { db } from '@/lib/db';
import { versionedUpdate, ConflictError, conflictResponse } from '@/lib/genie/optimistic-lock';

// The read sits in a one-line helper of this module; the spend is checked and written in the handler.
async function walletOf(accountId: string) {
  return db.wallet.findUnique({ where: { accountId } });
}

export async function POST(req: Request) {
  const { accountId, price } = (await req.json()) as { accountId: string; price: number };
  const wallet = await walletOf(accountId);
  if (!wallet) return Response.json({ error: 'no wallet' }, { status: 404 });
  if (wallet.balance < price) return Response.json({ error: 'insufficient funds' }, { status: 402 });
  try {
    await versionedUpdate(db.wallet, {
      where: { accountId },
      expected: { balance: wallet.balance },
      data: { balance: wallet.balance - price },
    });
  } catch (err) {
    if (err instanceof ConflictError) return conflictResponse(err);
    throw err;
  }
  return Response.json({ ok: true });
}
