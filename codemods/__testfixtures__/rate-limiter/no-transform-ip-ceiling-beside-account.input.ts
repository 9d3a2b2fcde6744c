import bcrypt from 'bcryptjs';
import { hits } from '@/lib/rate-window';
import { db } from '@/lib/db';

export async function POST(req: Request) {
  const addr = req.headers.get('x-forwarded-for')?.split(',')[0]?.trim() ?? 'none';
  const { email, password } = (await req.json()) as { email: string; password: string };
  // A loose ceiling per address, and the real budget per address + account, both before the password.
  if (!hits.take(`signin-addr:${addr}`, 300)) return new Response('Busy', { status: 429 });
  if (!hits.take(`signin:${addr}:${email}`, 5)) return new Response('Too many attempts', { status: 429 });
  const row = await db.login.findUnique({ where: { email } });
  if (!row || !(await bcrypt.compare(password, row.hash))) return new Response('Invalid credentials', { status: 401 });
  return Response.json({ id: row.id });
}
