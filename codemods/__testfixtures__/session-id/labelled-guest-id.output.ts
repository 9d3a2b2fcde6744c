import { cookies } from 'next/headers';
import { randomBytes } from 'node:crypto';

// Guests get a cart id the shop tells apart from members' by its prefix; the rest of the id is the clock and
// Math.random(), so anyone can guess another guest's cart. The prefix stays; the rest becomes random.
export async function GET() {
  const jar = await cookies();
  let guestSessionId = jar.get('guest_session')?.value;
  if (!guestSessionId) {
    guestSessionId = `guest_${randomBytes(32).toString('hex')}`;
    jar.set('guest_session', guestSessionId, { httpOnly: true, path: '/' });
  }
  return Response.json({ guest: guestSessionId.startsWith('guest_') });
}
