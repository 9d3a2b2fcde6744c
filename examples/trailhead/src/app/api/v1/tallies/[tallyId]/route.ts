import { bearerHiker, notSignedIn } from '@/server/auth';
import { db } from '@/server/db';

type Params = { params: Promise<{ tallyId: string }> };

export async function GET(req: Request, { params }: Params) {
  const hiker = await bearerHiker(req);
  if (!hiker) return notSignedIn();
  const { tallyId } = await params;
  const tally = await db.tally.findFirst({ where: { id: tallyId, hikerId: hiker.id } });
  if (!tally) return Response.json({ message: 'no such tally' }, { status: 404 });
  return Response.json({ tally });
}

export async function DELETE(req: Request, { params }: Params) {
  const hiker = await bearerHiker(req);
  if (!hiker) return notSignedIn();
  const { tallyId } = await params;
  const { count } = await db.tally.deleteMany({ where: { id: tallyId, hikerId: hiker.id } });
  return count ? new Response(null, { status: 204 }) : Response.json({ message: 'no such tally' }, { status: 404 });
}
