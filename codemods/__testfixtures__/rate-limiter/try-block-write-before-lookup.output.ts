import { NextResponse } from 'next/server';
import argon2 from 'argon2';
import { store } from '@/lib/store';
import { credentialsSchema } from '@/lib/schemas';
import { checkLoginAllowed, recordLoginFailure, recordLoginSuccess } from '@/lib/genie/login-limiter';

export async function POST(request: Request) {
  try {
    const addr = request.headers.get('x-real-ip') ?? '127.0.0.1';
    const { email, secret } = credentialsSchema.parse(await request.json());
    const loginGate = await checkLoginAllowed(addr, email);
    if (!loginGate.allowed) {
      return Response.json(
        { error: 'Too many login attempts. Try again later.' },
        { status: 429, headers: { 'Retry-After': String(Math.ceil(loginGate.retryAfterMs / 1000)) } },
      );
    }

    // Every attempt leaves a row; a refused attempt must not, so the new check has to run before this write.
    await store.signinAttempt.create({ data: { email, addr } });
    const member = await store.member.findUnique({ where: { email } });
    if (!member) {
      await recordLoginFailure(addr, email);
      return NextResponse.json({ error: 'bad credentials' }, { status: 401 });
    }

    const matches = await argon2.verify(member.secretHash, secret);
    if (!matches) {
      await recordLoginFailure(addr, email);
      return NextResponse.json({ error: 'bad credentials' }, { status: 401 });
    }

    await recordLoginSuccess(addr, email);

    return NextResponse.json({ id: member.id });
  } catch {
    return NextResponse.json({ error: 'server error' }, { status: 500 });
  }
}
