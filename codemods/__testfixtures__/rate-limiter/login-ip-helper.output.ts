import bcrypt from 'bcryptjs';
import { db } from '@/lib/db';
import { checkLoginAllowed, recordLoginFailure, recordLoginSuccess } from '@/lib/genie/login-limiter';

/** Who is calling, as far as the proxy tells us: the first hop of x-forwarded-for. */
function callerAddress(req: Request): string {
  const hops = req.headers.get('x-forwarded-for');
  const first = hops ? hops.split(',')[0].trim() : null;
  return first || 'no-address';
}

export async function POST(req: Request) {
  const bucketKey = callerAddress(req);
  const { email, password } = (await req.json()) as { email: string; password: string };
  const loginGate = await checkLoginAllowed(bucketKey, email);
  if (!loginGate.allowed) {
    return Response.json(
      { error: 'Too many login attempts. Try again later.' },
      { status: 429, headers: { 'Retry-After': String(Math.ceil(loginGate.retryAfterMs / 1000)) } },
    );
  }

  const person = await db.person.findUnique({ where: { email } });
  if (!person || !(await bcrypt.compare(password, person.hash))) {
    await recordLoginFailure(bucketKey, email);
    return new Response('Invalid credentials', { status: 401 });
  }

  await recordLoginSuccess(bucketKey, email);
  return Response.json({ id: person.id });
}
