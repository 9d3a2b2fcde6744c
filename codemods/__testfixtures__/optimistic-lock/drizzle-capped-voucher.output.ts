import { eq, and, lt, sql } from 'drizzle-orm';
import { db } from '@/lib/drizzle';
import { vouchers } from '@/lib/drizzle-schema';

// Redeems a voucher while it has uses left: the cap moves into the where, so two redemptions of the last use cannot both pass.
export async function POST(req: Request) {
  const { code } = (await req.json()) as { code: string };
  const [voucher] = await db.select().from(vouchers).where(eq(vouchers.code, code));
  if (!voucher) return Response.json({ error: 'no such voucher' }, { status: 404 });
  if (voucher.used >= voucher.maxUses) return Response.json({ error: 'voucher used up' }, { status: 410 });
  const updated = await db.update(vouchers).set({ used: sql`${vouchers.used} + ${1}` }).where(and(eq(vouchers.code, code), lt(vouchers.used, vouchers.maxUses))).returning({ code: vouchers.code });
  if (updated.length === 0) return Response.json({ error: 'voucher used up' }, { status: 410 });
  return Response.json({ ok: true });
}
