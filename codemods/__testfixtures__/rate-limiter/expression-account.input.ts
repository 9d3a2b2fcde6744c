import { z } from 'zod';
import { db } from '@/lib/db';
import { hashMatches } from '@/lib/hashing';
import { peerAddress, throttle } from '@/lib/guard';

const Body = z.object({ handle: z.string().min(1), secret: z.string().min(1) });

export async function POST(req: Request) {
  const delay = throttle(peerAddress(req));
  if (delay > 0) return Response.json({ problem: 'wait a little' }, { status: 429 });

  const parsed = Body.safeParse(await req.json());
  if (!parsed.success) return Response.json({ problem: 'bad input' }, { status: 400 });

  const member = await db.member.findFirst({ where: { handle: parsed.data.handle.trim() } });
  if (!member || !(await hashMatches(parsed.data.secret, member.secretHash))) {
    return Response.json({ problem: 'no such member or wrong secret' }, { status: 401 });
  }
  return Response.json({ id: member.id });
}
