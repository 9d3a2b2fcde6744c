import bcrypt from 'bcryptjs';
import { windowCounter } from '@/lib/throttling';
import { db } from '@/lib/db';

function clientKey(request: Request): string {
  return request.headers.get('x-forwarded-for')?.split(',')[0] ?? 'anonymous';
}

// Setting a new password: the bcrypt call only refuses reusing the old one. The per-address quota guards
// the reset flow, not a login, so it is not re-keyed.
export async function POST(request: Request) {
  const quota = windowCounter(clientKey(request), 'password-reset');
  if (!quota.ok) return new Response('Too many requests', { status: 429 });
  const { token, newPassword } = (await request.json()) as { token: string; newPassword: string };
  const holder = await db.person.findFirst({ where: { resetToken: token } });
  if (!holder) return new Response('Unknown token', { status: 401 });
  if (await bcrypt.compare(newPassword, holder.hash)) return new Response('Choose a new password', { status: 400 });
  await db.person.update({ where: { id: holder.id }, data: { hash: await bcrypt.hash(newPassword, 12), resetToken: null } });
  return Response.json({ ok: true });
}
