// A limiter handed the whole request: it keys by the caller's address unless it is given an identifier.
const hits = new Map<string, number>();

export function addressOf(request: Request): string {
  return request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || 'unknown';
}

export async function withThrottle(request: Request, perMinute: number, identifier?: string): Promise<Response | null> {
  const key = identifier || addressOf(request);
  const n = (hits.get(key) ?? 0) + 1;
  hits.set(key, n);
  return n > perMinute ? Response.json({ error: 'slow down' }, { status: 429 }) : null;
}
