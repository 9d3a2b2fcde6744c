import bcrypt from 'bcryptjs';
import { db } from '@/lib/db';
import { checkLoginAllowed, recordLoginFailure, recordLoginSuccess } from '@/lib/genie/login-limiter';

export const POST = async (req: Request) => {
  const { username, password } = (await req.json()) as { username: string; password: string };
  const loginGate = await checkLoginAllowed(req.headers.get('x-forwarded-for') ?? 'anon', username);
  if (!loginGate.allowed) {
    return Response.json(
      { error: 'Too many login attempts. Try again later.' },
      { status: 429, headers: { 'Retry-After': String(Math.ceil(loginGate.retryAfterMs / 1000)) } },
    );
  }

  const account = await db.account.findFirst({ where: { username } });
  if (!account) {
    await recordLoginFailure(req.headers.get('x-forwarded-for') ?? 'anon', username);
    return new Response('Invalid credentials', { status: 401 });
  }
  const ok = await bcrypt.compare(password, account.hash);
  if (!ok) {
    await recordLoginFailure(req.headers.get('x-forwarded-for') ?? 'anon', username);
    return new Response('Invalid credentials', { status: 401 });
  }

  await recordLoginSuccess(req.headers.get('x-forwarded-for') ?? 'anon', username);

  return Response.json({ id: account.id });
};
