import { cookies } from 'next/headers';
import { db } from '@/lib/db';
import { randomBytes } from 'node:crypto';

let sessionCount = 0;

export async function POST() {
  const userId = 42;
  const token = randomBytes(32).toString('hex');
  await db.session.create({ data: { id: randomBytes(32).toString('hex'), token, userId } });
  (await cookies()).set('sid', randomBytes(32).toString('hex'), { httpOnly: true });
  (await cookies()).set({ name: 'refresh', value: 'r' + Date.now() });
  (await cookies()).set({ name: 'session_hint', value: randomBytes(32).toString('hex'), path: '/' });
  return Response.json({ ok: true });
}
