import { cookies } from 'next/headers';
import { db } from '@/lib/db';

let sessionCount = 0;

export async function POST() {
  const userId = 42;
  const token = Math.random().toString(36).slice(2) + Date.now().toString(36);
  await db.session.create({ data: { id: `${userId}_${++sessionCount}`, token, userId } });
  (await cookies()).set('sid', String(Math.random()), { httpOnly: true });
  (await cookies()).set({ name: 'refresh', value: 'r' + Date.now() });
  (await cookies()).set({ name: 'session_hint', value: `${Date.now()}${Math.random()}`, path: '/' });
  return Response.json({ ok: true });
}
