import { NextResponse } from 'next/server';
import { db } from '@/lib/db';
import { versionedUpdate, ConflictError, conflictResponse } from '@/lib/genie/optimistic-lock';

export const POST = async (req: Request) => {
  const { accountId, price } = (await req.json()) as { accountId: string; price: number };
  const wallet = await db.wallet.findUnique({ where: { accountId } });
  if (!wallet) return NextResponse.json({ error: 'no wallet' }, { status: 404 });
  if (wallet.balance < price) {
    return NextResponse.json({ error: 'insufficient funds' }, { status: 402 });
  }
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
  const updated = await db.wallet.findUniqueOrThrow({ where: { accountId } });
  return NextResponse.json({ balance: updated.balance });
};
