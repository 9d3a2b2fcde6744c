import { cookies } from 'next/headers';
import { db } from '@/lib/db';
import { randomBytes } from 'node:crypto';

let sessionCount = 0;

export async function POST() {
  const userId = 42;
  const token = randomBytes(32).toString('hex');
  await db.session.create({ data: { id: randomBytes(32).toString('hex'), token, userId } });
  (await cookies()).set('sid', randomBytes(32).toString('hex'), { httpOnly: true });
  return Response.json({ ok: true });
}
