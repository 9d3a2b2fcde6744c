import bcrypt from 'bcryptjs';
import { hits } from '@/lib/rate-window';
import { db } from '@/lib/db';

export async function POST(req: Request) {
  const addr = req.headers.get('x-forwarded-for')?.split(',')[0]?.trim() ?? 'none';
  if (!hits.take(`signin:${addr}`, 10)) return new Response('Too many attempts', { status: 429 });

  const { email, password } = (await req.json()) as { email: string; password: string };
  const row = await db.login.findUnique({ where: { email } });
  if (!row || !(await bcrypt.compare(password, row.hash))) return new Response('Invalid credentials', { status: 401 });
  // Counted only once the password matched: it cannot slow a guesser down.
  if (!hits.take(`signin:user:${row.id}`, 20)) return new Response('Too many sessions', { status: 429 });
  return Response.json({ id: row.id });
}
