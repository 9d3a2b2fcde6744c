import { verifyPassword } from '@/lib/password';
import { prisma } from '@/lib/prisma';
import { checkRateLimit } from '@/lib/rate-limiter';

export async function POST(request: Request) {
  const { email, password } = await request.json();
  const ip = request.headers.get('x-forwarded-for') ?? 'unknown';
  const limit = checkRateLimit(`login:${ip}:${email}`, { limit: 10, windowMs: 60_000 });
  if (!limit.allowed) return Response.json({ error: 'slow down' }, { status: 429 });
  const user = await prisma.user.findUnique({ where: { email } });
  if (!user || !(await verifyPassword(password, user.passwordHash))) {
    return Response.json({ error: 'invalid' }, { status: 401 });
  }
  return Response.json({ id: user.id });
}
