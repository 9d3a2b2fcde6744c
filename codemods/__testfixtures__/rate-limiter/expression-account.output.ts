import { z } from 'zod';
import { db } from '@/lib/db';
import { hashMatches } from '@/lib/hashing';
import { peerAddress } from '@/lib/guard';
import { checkLoginAllowed, recordLoginFailure, recordLoginSuccess } from '@/lib/genie/login-limiter';

const Body = z.object({ handle: z.string().min(1), secret: z.string().min(1) });

export async function POST(req: Request) {
  const parsed = Body.safeParse(await req.json());
  if (!parsed.success) return Response.json({ problem: 'bad input' }, { status: 400 });

  const loginGate = await checkLoginAllowed(peerAddress(req), parsed.data.handle.trim());
  if (!loginGate.allowed) {
    return Response.json(
      { error: 'Too many login attempts. Try again later.' },
      { status: 429, headers: { 'Retry-After': String(Math.ceil(loginGate.retryAfterMs / 1000)) } },
    );
  }

  const member = await db.member.findFirst({ where: { handle: parsed.data.handle.trim() } });
  if (!member || !(await hashMatches(parsed.data.secret, member.secretHash))) {
    await recordLoginFailure(peerAddress(req), parsed.data.handle.trim());
    return Response.json({ problem: 'no such member or wrong secret' }, { status: 401 });
  }

  await recordLoginSuccess(peerAddress(req), parsed.data.handle.trim());
  return Response.json({ id: member.id });
}
