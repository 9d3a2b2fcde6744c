import { z } from 'zod';
import { bearerHiker, notSignedIn } from '@/server/auth';
import { db } from '@/server/db';

const Adjustment = z.object({ delta: z.number().int().min(-1000).max(1000) });

/** Adds `delta` points to a tally (negative to take some away). */
export async function POST(req: Request, { params }: { params: Promise<{ tallyId: string }> }) {
  const hiker = await bearerHiker(req);
  if (!hiker) return notSignedIn();
  const { tallyId } = await params;
  const input = Adjustment.safeParse(await req.json().catch(() => null));
  if (!input.success) return Response.json({ message: 'delta must be a whole number' }, { status: 400 });

  const row = await db.tally.findFirst({ where: { id: tallyId, hikerId: hiker.id } });
  if (!row) return Response.json({ message: 'no such tally' }, { status: 404 });

  const tally = await db.tally.update({
    where: { id: row.id },
    data: { points: row.points + input.data.delta },
  });
  return Response.json({ tally });
}
