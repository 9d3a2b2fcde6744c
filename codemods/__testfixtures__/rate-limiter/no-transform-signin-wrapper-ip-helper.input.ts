import { authHandler } from '@/lib/auth-handler';
import { windowCounter } from '@/lib/throttling';
import { clientKey } from '../../../lib/net';

// The auth library reads the form and checks the password; this route only counts requests first.
export async function POST(request: Request) {
  const who = clientKey(request);
  const tally = windowCounter(who, 'credentials');
  if (!tally.ok) return new Response('Too many sign-in attempts', { status: 429 });
  return authHandler(request);
}
