import bcrypt from 'bcryptjs';
import { db } from '@/lib/db';
import { takeToken } from '@/lib/rate-bucket';

/** Who is calling, as far as the proxy tells us: the first hop of x-forwarded-for. */
function callerAddress(req: Request): string {
  const hops = req.headers.get('x-forwarded-for');
  const first = hops ? hops.split(',')[0].trim() : null;
  return first || 'no-address';
}

export async function POST(req: Request) {
  const bucketKey = callerAddress(req);
  const token = takeToken(bucketKey, 'password-login');
  if (!token.granted) return new Response('Too many attempts', { status: 429 });

  const { email, password } = (await req.json()) as { email: string; password: string };
  const person = await db.person.findUnique({ where: { email } });
  if (!person || !(await bcrypt.compare(password, person.hash))) return new Response('Invalid credentials', { status: 401 });
  return Response.json({ id: person.id });
}
