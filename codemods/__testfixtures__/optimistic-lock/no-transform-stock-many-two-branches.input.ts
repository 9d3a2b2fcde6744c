import { db } from '@/lib/db';

type Line = { partId: string; qty: number; loan?: boolean };

// Parts go out either sold or on loan. Only sold parts are checked against the shelf; a loan is taken off
// without a check (the workshop allows a negative loan balance), so only the sold write is a check-then-act.
export async function POST(req: Request) {
  const { lines } = (await req.json()) as { lines: Line[] };
  const shelf = await db.part.findMany({ where: { id: { in: lines.map((l) => l.partId) } } });
  for (const wanted of lines) {
    const part = shelf.find((p) => p.id === wanted.partId);
    if (!part) return Response.json({ error: 'unknown part' }, { status: 404 });
    if (wanted.loan) continue;
    else {
      const onHand = part.stockQty ?? 0;
      if (onHand < wanted.qty) return Response.json({ error: 'short of stock' }, { status: 409 });
    }
  }
  for (const line of lines) {
    if (line.loan) {
      await db.part.update({ where: { id: line.partId }, data: { stockQty: { decrement: line.qty } } });
    } else {
      await db.part.update({ where: { id: line.partId }, data: { stockQty: { decrement: line.qty } } });
    }
  }
  return Response.json({ ok: true });
}
