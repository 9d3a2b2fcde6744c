import { cookies } from 'next/headers';

export async function GET() {
  const session = (await cookies()).get('session');
  if (!session) return new Response(null, { status: 401 });
  // Exchange rates and the public port list are the same for everyone: caching them is right.
  const rates = await fetch('https://open.er-api.com/v6/latest/USD', { next: { revalidate: 3600 } });
  const ports = await fetch(`${process.env.CATALOG_URL}/ports`, { cache: 'force-cache' });
  const live = await fetch('/api/trips/active', { cache: 'no-store' });
  return Response.json({ rates: await rates.json(), ports: await ports.json(), live: await live.json() });
}
