import { db } from '@/lib/db';

export const PUT = async (req: Request) => {
  const payload = await req.json();
  const wallet = await db.trip.findUnique({ where: { id: payload.tripId } });
  if (!wallet) return new Response(null, { status: 404 });
  await db.trip.update({ where: { id: wallet.id }, data: { totalSpent: { decrement: payload.refund } } });
  const note = await db.checklistItem.update({ where: { id: payload.noteId }, data: { text: payload.text } });
  return Response.json({ note });
};
