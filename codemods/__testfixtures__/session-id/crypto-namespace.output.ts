import * as crypto from 'crypto';

export async function POST() {
  const session = { token: crypto.randomBytes(32).toString('hex'), sid: crypto.randomBytes(32).toString('hex') };
  return Response.json(session);
}
