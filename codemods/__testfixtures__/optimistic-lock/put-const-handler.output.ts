import { db } from '@/lib/db';
import { versionedUpdate, ConflictError, conflictResponse } from '@/lib/genie/optimistic-lock';

export const PUT = async (req: Request) => {
  const payload = await req.json();
  const wallet = await db.trip.findUnique({ where: { id: payload.tripId } });
  if (!wallet) return new Response(null, { status: 404 });
  await db.trip.update({ where: { id: wallet.id }, data: { totalSpent: { decrement: payload.refund } } });
  // The version the client read; without it (older clients) the write stays last-write-wins.
  const clientVersion = typeof payload.version === 'number' ? payload.version : undefined;
  if (clientVersion !== undefined) {
    try {
      await versionedUpdate(db.checklistItem, { where: { id: payload.noteId }, expected: { version: clientVersion }, data: { text: payload.text }, versionField: 'version' });
    } catch (err) {
      if (err instanceof ConflictError) return conflictResponse(err);
      throw err;
    }
  }
  const note = clientVersion !== undefined
    ? await db.checklistItem.findUniqueOrThrow({ where: { id: payload.noteId } })
    : await db.checklistItem.update({ where: { id: payload.noteId }, data: { text: payload.text, version: { increment: 1 } } });
  return Response.json({ note });
};
