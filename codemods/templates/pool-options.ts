/**
 * Pool settings for a Prisma driver adapter's pool (`new PrismaPg({...})`, `new PrismaNeon({...})`, or the pg /
 * Neon `Pool` given to one) read from DATABASE_URL's parameters. With driver adapters the URL's `connection_limit`
 * / `pool_timeout` / `connect_timeout` are not the pool settings at all (the Pool's options are): this makes the
 * URL the single place to size the pool per deployment, with the code's old values as the fallback when the URL
 * says nothing.
 */
export interface PoolOptions {
  /** pg Pool size (Prisma's `connection_limit`). */
  max?: number;
  /** Milliseconds to wait for a free connection or a new one (Prisma's `pool_timeout` / `connect_timeout`, in seconds). */
  connectionTimeoutMillis?: number;
}

function positiveNumber(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

export function poolOptionsFromUrl(url: string | undefined, fallback: PoolOptions = {}): PoolOptions {
  const out: PoolOptions = { ...fallback };
  if (!url) return out;
  let params: URLSearchParams;
  try {
    params = new URL(url).searchParams;
  } catch {
    return out;
  }
  const limit = positiveNumber(params.get('connection_limit'));
  if (limit !== undefined && limit >= 1) out.max = Math.floor(limit);
  // pg's connectionTimeoutMillis bounds both the wait for a pooled connection and the connect itself: take the
  // longer of the two Prisma timeouts so neither is cut short. 0 in Prisma means "no timeout", as in pg.
  const poolTimeout = positiveNumber(params.get('pool_timeout'));
  const connectTimeout = positiveNumber(params.get('connect_timeout'));
  const seconds = [poolTimeout, connectTimeout].filter((s): s is number => s !== undefined);
  if (seconds.length > 0) out.connectionTimeoutMillis = seconds.includes(0) ? 0 : Math.round(Math.max(...seconds) * 1000);
  return out;
}
