import bcrypt from 'bcryptjs';
import { limiter } from '@/lib/limiter';
import { db } from '@/lib/db';
import { audit } from '@/lib/audit';

export async function POST(req: Request) {
  const ip = req.headers.get('x-real-ip') ?? 'unknown';
  const { ok } = await limiter.limit(`login:${ip}`);
  if (!ok) return new Response('Too many attempts', { status: 429 });

  await audit.record('login-attempt', { ip });
  const { email, password } = (await req.json()) as { email: string; password: string };
  const user = await db.user.findUnique({ where: { email } });
  if (!user) return new Response('Invalid credentials', { status: 401 });
  if (!(await bcrypt.compare(password, user.passwordHash))) return new Response('Invalid credentials', { status: 401 });
  return Response.json({ id: user.id });
}
