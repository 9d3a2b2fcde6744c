import { apiUrl } from '@/lib/api-url';

export async function GET() {
  const res = await fetch(apiUrl('/health'));
  return Response.json({ upstream: res.status });
}
