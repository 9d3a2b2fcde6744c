import { z } from 'zod';
import { issueToken } from '@/server/auth';
import { db } from '@/server/db';
import { secretMatches } from '@/server/passwords';
import { callerAddress, throttleSignIn } from '@/server/throttle';

const SignIn = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(200),
});

/** Sign in: answers a bearer token in the body (no cookie). */
export async function POST(req: Request) {
  const waitSeconds = throttleSignIn(callerAddress(req));
  if (waitSeconds > 0) {
    return Response.json({ message: 'too many sign-in attempts, slow down' }, { status: 429, headers: { 'retry-after': String(waitSeconds) } });
  }

  const input = SignIn.safeParse(await req.json().catch(() => null));
  if (!input.success) return Response.json({ message: 'username and password are required' }, { status: 400 });

  const hiker = await db.hiker.findUnique({ where: { username: input.data.username.toLowerCase() } });
  if (!hiker || !(await secretMatches(input.data.password, hiker.secretHash))) {
    return Response.json({ message: 'unknown username or wrong password' }, { status: 401 });
  }

  const { token, expiresAt } = await issueToken(hiker.id);
  return Response.json({ token, expiresAt, hiker: { id: hiker.id, username: hiker.username, displayName: hiker.displayName } });
}
