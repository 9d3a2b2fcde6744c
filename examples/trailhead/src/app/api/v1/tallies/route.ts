import { z } from 'zod';
import { bearerHiker, notSignedIn } from '@/server/auth';
import { db } from '@/server/db';

const NewTally = z.object({ label: z.string().trim().min(1).max(80) });

export async function GET(req: Request) {
  const hiker = await bearerHiker(req);
  if (!hiker) return notSignedIn();
  const tallies = await db.tally.findMany({ where: { hikerId: hiker.id }, orderBy: { updatedAt: 'desc' } });
  return Response.json({ tallies });
}

export async function POST(req: Request) {
  const hiker = await bearerHiker(req);
  if (!hiker) return notSignedIn();
  const input = NewTally.safeParse(await req.json().catch(() => null));
  if (!input.success) return Response.json({ message: 'label is required' }, { status: 400 });

  const tally = await db.tally.create({ data: { hikerId: hiker.id, label: input.data.label } });
  return Response.json({ tally }, { status: 201 });
}
