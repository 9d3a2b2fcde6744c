import { NextResponse } from 'next/server';
import { eq, and, gte, sql } from 'drizzle-orm';
import { db } from '@/lib/drizzle';
import { wallets } from '@/lib/drizzle-schema';

const REPORT_COST = 5;

// Spends prepaid credits on a report: the balance is checked on the row that was read, then the cost is taken off.
export async function POST(req: Request) {
  const { walletId } = (await req.json()) as { walletId: string };
  const [wallet] = await db.select().from(wallets).where(eq(wallets.id, walletId)).limit(1);
  if (!wallet) {
    return NextResponse.json({ error: 'no wallet' }, { status: 404 });
  }
  if (wallet.credits < REPORT_COST) {
    return NextResponse.json({ error: 'not enough credits' }, { status: 402 });
  }
  const updated = await db
    .update(wallets)
    .set({ credits: sql`${wallets.credits} - ${REPORT_COST}` })
    .where(and(eq(wallets.id, walletId), gte(wallets.credits, REPORT_COST))).returning({ id: wallets.id });
  if (updated.length === 0) {
    return NextResponse.json({ error: 'not enough credits' }, { status: 402 });
  }
  return NextResponse.json({ ok: true });
}
