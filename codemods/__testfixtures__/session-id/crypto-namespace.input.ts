import * as crypto from 'crypto';

export async function POST() {
  const session = { token: crypto.createHash('sha1').update(String(Date.now())).digest('hex'), sid: 'sess-' + new Date().getTime() };
  return Response.json(session);
}
