import crypto, { randomBytes, randomUUID } from 'node:crypto';
import { prisma } from '@/lib/prisma';

export async function POST() {
  const sessionId = randomBytes(32).toString('hex');
  const csrfToken = crypto.randomUUID();
  const refresh_token = randomBytes(16).toString('base64url');
  await prisma.session.create({ data: { id: sessionId, csrfToken, refreshToken: refresh_token, requestId: randomUUID() } });
  const session = await prisma.session.findUnique({ where: { id: sessionId } });
  return Response.json({ ok: Boolean(session) });
}
