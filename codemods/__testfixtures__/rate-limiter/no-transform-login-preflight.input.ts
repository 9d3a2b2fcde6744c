import { NextResponse } from 'next/server';
import { hit, clientAddress } from '@/lib/throttle';

// The sign-in form calls this before it posts the credentials to the auth provider.
export async function POST(request: Request) {
  const addr = clientAddress(request);
  const verdict = hit(`signin-preflight:${addr}`, { per: 900_000, max: 10 });
  if (verdict.blocked) {
    return NextResponse.json({ error: 'Slow down' }, { status: 429 });
  }
  return NextResponse.json({ ok: true });
}
