import { db } from '@/lib/db';

type Return = { partId: string; qty: number };

// Parts handed back after a job go back on the shelf; nothing about the shelf is checked first, so each atomic
// increment is already right.
export async function POST(req: Request) {
  const { returns } = (await req.json()) as { returns: Return[] };
  const known = await db.part.findMany({ where: { id: { in: returns.map((r) => r.partId) } } });
  if (known.length !== returns.length) return Response.json({ error: 'unknown part' }, { status: 400 });
  for (const r of returns) {
    await db.part.update({ where: { id: r.partId }, data: { stockQty: { increment: r.qty } } });
  }
  return Response.json({ ok: true });
}
