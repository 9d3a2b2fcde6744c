import { prisma } from '@/lib/prisma';

export async function PATCH(request: Request) {
  const { id, text, version } = await request.json();
  const { count } = await prisma.checklistItem.updateMany({
    where: { id, version },
    data: { text, version: { increment: 1 } },
  });
  if (count === 0) return Response.json({ error: 'conflict' }, { status: 409 });
  const trip = await prisma.trip.findFirst({ where: { id: 1 } });
  if (trip) await prisma.trip.update({ where: { id: trip.id }, data: { totalSpent: { increment: 5 } } });
  return Response.json({ ok: true });
}
