import { randomBytes } from 'node:crypto';
import { NextResponse } from 'next/server';
import { prisma } from '@/lib/prisma';

export async function POST(request: Request) {
  const user = await prisma.user.findUnique({ where: { email: 'a@b.c' } });
  if (!user) return NextResponse.json({ error: 'no' }, { status: 401 });

  // "Fix" for a session-creation race on concurrent login.
  const sessionId = randomBytes(32).toString('hex');
  const session = await prisma.session.create({
    data: { id: sessionId, userId: user.id, expiresAt: new Date(Date.now() + 86_400_000) },
  });

  const response = NextResponse.json({ user: { id: user.id } });
  response.cookies.set('session', session.id, { httpOnly: true });
  return response;
}
