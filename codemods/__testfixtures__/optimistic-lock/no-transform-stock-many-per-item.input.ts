import { db } from '@/lib/db';

type Line = { partId: string; qty: number };

// A workshop job consumes several parts at once: every part is checked against the shelf, then each is taken
// off in its own write.
export async function POST(req: Request) {
  const { lines } = (await req.json()) as { lines: Line[] };
  try {
    await db.$transaction(async (tx) => {
      const shelf = await tx.part.findMany({ where: { id: { in: lines.map((l) => l.partId) } } });
      for (const line of lines) {
        const part = shelf.find((p) => p.id === line.partId);
        if (!part) throw new Error(`unknown part ${line.partId}`);
        if (part.stockQty < line.qty) throw new Error(`only ${part.stockQty} of ${line.partId} left`);
      }
      await Promise.all(lines.map((line) => tx.part.update({ where: { id: line.partId }, data: { stockQty: { decrement: line.qty } } })));
    });
    return Response.json({ ok: true });
  } catch (err) {
    return Response.json({ error: (err as Error).message }, { status: 409 });
  }
}
