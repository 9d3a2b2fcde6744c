import { cookies } from 'next/headers';

// Guests get a cart id the shop tells apart from members' by its prefix; the rest of the id is the clock and
// Math.random(), so anyone can guess another guest's cart. The prefix stays; the rest becomes random.
export async function GET() {
  const jar = await cookies();
  let guestSessionId = jar.get('guest_session')?.value;
  if (!guestSessionId) {
    guestSessionId = `guest_${Date.now()}_${Math.random().toString(36).slice(2)}`;
    jar.set('guest_session', guestSessionId, { httpOnly: true, path: '/' });
  }
  return Response.json({ guest: guestSessionId.startsWith('guest_') });
}
