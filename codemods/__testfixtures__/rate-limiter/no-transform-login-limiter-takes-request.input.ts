import { compare } from 'bcryptjs';
import { db } from '@/lib/db';
import { withThrottle } from '@/lib/throttle';

// The login hands its request to a limiter that keys by the caller's address inside its own module: everyone behind
// one office proxy shares five attempts a minute. Reported with where the key comes from.
export async function POST(request: Request) {
  const limited = await withThrottle(request, 5);
  if (limited) return limited;
  const { email, password } = (await request.json()) as { email: string; password: string };
  const user = await db.user.findUnique({ where: { email } });
  if (!user || !(await compare(password, user.passwordHash))) return Response.json({ error: 'wrong email or password' }, { status: 401 });
  return Response.json({ ok: true });
}
