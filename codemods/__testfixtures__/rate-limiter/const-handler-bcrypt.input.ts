import bcrypt from 'bcryptjs';
import { limiter } from '@/lib/limiter';
import { db } from '@/lib/db';

export const POST = async (req: Request) => {
  const { allowed } = await limiter.limit(`signin:${req.headers.get('x-forwarded-for') ?? 'anon'}`);
  if (!allowed) return new Response('Too many attempts', { status: 429 });

  const { username, password } = (await req.json()) as { username: string; password: string };
  const account = await db.account.findFirst({ where: { username } });
  if (!account) return new Response('Invalid credentials', { status: 401 });
  const ok = await bcrypt.compare(password, account.hash);
  if (!ok) return new Response('Invalid credentials', { status: 401 });

  return Response.json({ id: account.id });
};
