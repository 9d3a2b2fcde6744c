import { NextResponse } from 'next/server';
import { db } from '@/lib/db';

export const POST = async (req: Request) => {
  const { accountId, price } = (await req.json()) as { accountId: string; price: number };
  const wallet = await db.wallet.findUnique({ where: { accountId } });
  if (!wallet) return NextResponse.json({ error: 'no wallet' }, { status: 404 });
  if (wallet.balance < price) {
    return NextResponse.json({ error: 'insufficient funds' }, { status: 402 });
  }
  const updated = await db.wallet.update({
    where: { accountId },
    data: { balance: wallet.balance - price },
  });
  return NextResponse.json({ balance: updated.balance });
};
