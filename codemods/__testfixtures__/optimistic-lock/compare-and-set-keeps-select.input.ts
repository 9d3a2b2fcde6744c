import { NextResponse } from 'next/server';
import { db } from '@/lib/db';
import { currentMember } from '@/lib/session';

const NEXT_STEP: Record<string, string> = { draft: 'review', review: 'live' };

export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const me = await currentMember();
  if (!me) return NextResponse.json({ error: 'sign in first' }, { status: 401 });
  const { id } = await params;
  const order = await db.order.findUnique({ where: { id } });
  if (order === null) return NextResponse.json({ error: 'not found' }, { status: 404 });
  const next = NEXT_STEP[order.status];
  if (!next) return NextResponse.json({ error: 'already live' }, { status: 409 });
  const moved = await db.order.update({
    where: { id },
    data: { status: next },
    select: { id: true, status: true },
  });
  return NextResponse.json(moved);
}
