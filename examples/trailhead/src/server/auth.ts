import { randomBytes } from 'node:crypto';
import { db } from '@/server/db';

const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

export async function issueToken(hikerId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + TOKEN_LIFETIME_MS);
  await db.accessToken.create({ data: { token, hikerId, expiresAt } });
  return { token, expiresAt };
}

/** The hiker behind `Authorization: Bearer <token>`, or null. */
export async function bearerHiker(req: Request) {
  const header = req.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) return null;
  const row = await db.accessToken.findUnique({
    where: { token: match[1]! },
    select: { expiresAt: true, hiker: { select: { id: true, username: true, displayName: true } } },
  });
  if (!row || row.expiresAt.getTime() < Date.now()) return null;
  return row.hiker;
}

export const notSignedIn = () => Response.json({ message: 'missing or expired bearer token' }, { status: 401 });
