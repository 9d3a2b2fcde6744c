import bcrypt from 'bcryptjs';
import { hits } from '@/lib/rate-window';
import { db } from '@/lib/db';
import { checkLoginAllowed, recordLoginFailure, recordLoginSuccess } from '@/lib/genie/login-limiter';

export async function POST(req: Request) {
  const addr = req.headers.get('x-forwarded-for')?.split(',')[0]?.trim() ?? 'none';
  const { email, password } = (await req.json()) as { email: string; password: string };
  const loginGate = await checkLoginAllowed(addr, email);
  if (!loginGate.allowed) {
    return Response.json(
      { error: 'Too many login attempts. Try again later.' },
      { status: 429, headers: { 'Retry-After': String(Math.ceil(loginGate.retryAfterMs / 1000)) } },
    );
  }

  const row = await db.login.findUnique({ where: { email } });
  if (!row || !(await bcrypt.compare(password, row.hash))) {
    await recordLoginFailure(addr, email);
    return new Response('Invalid credentials', { status: 401 });
  }

  await recordLoginSuccess(addr, email);
  // Counted only once the password matched: it cannot slow a guesser down.
  if (!hits.take(`signin:user:${row.id}`, 20)) return new Response('Too many sessions', { status: 429 });
  return Response.json({ id: row.id });
}
