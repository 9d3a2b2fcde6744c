import { NextResponse } from 'next/server';
import { db } from '@/lib/db';

export async function POST(req: Request, { params }: { params: Promise<{ partId: string }> }) {
  try {
    const { partId } = await params;
    const part = await db.part.findFirst({ where: { id: partId, ownerId: 'shop' } });
    if (!part) return NextResponse.json({ error: 'no such part' }, { status: 404 });

    const { delta, note } = (await req.json()) as { delta: number; note?: string };
    const balance = part.stockQty + delta;
    if (balance < 0) {
      return NextResponse.json({ error: 'not enough stock' }, { status: 400 });
    }

    const [saved] = await db.$transaction([
      db.part.update({
        where: { id: partId },
        data: { stockQty: balance },
      }),
      db.stockMove.create({
        data: { partId, delta, balanceAfter: balance, note: note ?? null },
      }),
    ]);
    return NextResponse.json(saved);
  } catch (error) {
    console.error('stock adjustment failed', error);
    return NextResponse.json({ error: 'could not adjust stock' }, { status: 500 });
  }
}
