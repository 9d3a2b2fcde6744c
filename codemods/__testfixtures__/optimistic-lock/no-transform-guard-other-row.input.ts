import { db } from '@/lib/db';

// The check reads the account's role; the write only sets the part's owner: nothing read feeds the part's row.
export async function PUT(req: Request) {
  const { partId, memberId } = (await req.json()) as { partId: string; memberId: string };
  const member = await db.member.findUnique({ where: { id: memberId } });
  if (!member || member.role !== 'buyer') return Response.json({ error: 'not allowed' }, { status: 403 });
  const saved = await db.$transaction([
    db.part.update({ where: { id: partId }, data: { ownerId: memberId } }),
    db.stockMove.create({ data: { partId, delta: 0, balanceAfter: 0, note: `owner ${memberId}` } }),
  ]);
  return Response.json(saved[0]);
}
