import bcrypt from 'bcryptjs';
import { takeToken } from '@/lib/rate-bucket';
import { db } from '@/lib/db';

/** The limiter key is the account the form names, lower-cased: already per account. */
function accountOf(form: { handle: string }): string {
  return form.handle.trim().toLowerCase();
}

export async function POST(req: Request) {
  const form = (await req.json()) as { handle: string; password: string };
  const token = takeToken(accountOf(form), 'password-login');
  if (!token.granted) return new Response('Too many attempts', { status: 429 });
  const person = await db.person.findFirst({ where: { handle: form.handle } });
  if (!person || !(await bcrypt.compare(form.password, person.hash))) return new Response('Invalid credentials', { status: 401 });
  return Response.json({ id: person.id });
}
