import { eq, sql } from 'drizzle-orm';
import { db } from '@/lib/drizzle';
import { pageStats } from '@/lib/drizzle-schema';

// The new count is worked out in a local first; the write still rests on the number that was read.
export async function POST(req: Request) {
  const { slug } = (await req.json()) as { slug: string };
  const [page] = await db.select().from(pageStats).where(eq(pageStats.slug, slug));
  if (!page) return new Response(null, { status: 404 });
  await db.update(pageStats).set({ views: sql`${pageStats.views} + ${1}` }).where(eq(pageStats.slug, page.slug));
  return new Response(null, { status: 204 });
}
