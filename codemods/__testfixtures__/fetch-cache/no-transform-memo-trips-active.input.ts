import { NextResponse } from 'next/server';

// The memo's fix 8: "HTTP-level caching of internal fetches".
export async function GET(request: Request) {
  const origin = new URL(request.url).origin;
  const res = await fetch(`${origin}/api/trips/active`, { next: { revalidate: 60 } });
  const profile = await fetch('/api/user/profile', { cache: 'force-cache' });
  return NextResponse.json({ trip: await res.json(), profile: await profile.json() });
}
