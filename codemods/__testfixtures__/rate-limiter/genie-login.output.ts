import { randomBytes } from 'node:crypto';
import type { NextRequest } from 'next/server';
import { NextResponse } from 'next/server';
import { verifyPassword } from '@/lib/password';
import { prisma } from '@/lib/prisma';
import { getClientIp, readJson } from '@/lib/request';
import { SESSION_COOKIE, SESSION_TTL_MS } from '@/lib/session';
import { checkLoginAllowed, recordLoginFailure, recordLoginSuccess } from '@/lib/genie/login-limiter';

export async function POST(request: NextRequest) {
  const ip = getClientIp(request);
  const body = await readJson(request);
  const email = typeof body?.email === 'string' ? body.email.trim().toLowerCase() : '';
  const password = typeof body?.password === 'string' ? body.password : '';
  if (!email || !password) {
    return NextResponse.json({ error: '이메일과 비밀번호를 입력해주세요.' }, { status: 400 });
  }

  const loginGate = await checkLoginAllowed(ip, email);
  if (!loginGate.allowed) {
    return NextResponse.json(
      { error: '로그인 시도가 너무 많습니다. 잠시 후 다시 시도해주세요.' },
      { status: 429, headers: { 'Retry-After': String(Math.ceil(loginGate.retryAfterMs / 1000)) } },
    );
  }

  const user = await prisma.user.findUnique({ where: { email } });
  if (!user || !(await verifyPassword(password, user.passwordHash))) {
    await recordLoginFailure(ip, email);
    return NextResponse.json({ error: '이메일 또는 비밀번호가 올바르지 않습니다.' }, { status: 401 });
  }

  await recordLoginSuccess(ip, email);

  const sessionId = randomBytes(32).toString('hex');
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await prisma.session.create({
    data: { id: sessionId, userId: user.id, expiresAt },
  });

  const response = NextResponse.json({ user: { id: user.id, name: user.name } });
  response.cookies.set(SESSION_COOKIE, sessionId, {
    httpOnly: true,
    sameSite: 'lax',
    secure: request.nextUrl.protocol === 'https:',
    path: '/',
    expires: expiresAt,
  });
  return response;
}
