import { eq, sql } from 'drizzle-orm';
import { db } from '@/lib/drizzle';
import { pageStats } from '@/lib/drizzle-schema';

// Counts a page view: read the row, then write the count back one higher.
export async function POST(req: Request) {
  const { slug } = (await req.json()) as { slug: string };
  const [stat] = await db.select().from(pageStats).where(eq(pageStats.slug, slug));
  if (!stat) return Response.json({ error: 'unknown page' }, { status: 404 });
  await db.update(pageStats).set({ views: sql`${pageStats.views} + ${1}` }).where(eq(pageStats.slug, slug));
  return Response.json({ ok: true });
}
