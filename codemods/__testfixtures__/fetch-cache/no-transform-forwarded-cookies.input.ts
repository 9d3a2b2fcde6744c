import { cookies } from 'next/headers';

export async function GET() {
  const jar = await cookies();
  const res = await fetch('https://api.example.com/bookings', {
    headers: { cookie: jar.toString() },
    next: { revalidate: 300 },
  });
  return Response.json(await res.json());
}
