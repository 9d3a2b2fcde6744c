import { eq, sql } from 'drizzle-orm';
import { db } from '@/lib/drizzle';
import { pageStats } from '@/lib/drizzle-schema';

// Already atomic: the row is read for its title only, and the database adds one to the count.
export async function POST(req: Request) {
  const { slug } = (await req.json()) as { slug: string };
  const [page] = await db.select().from(pageStats).where(eq(pageStats.slug, slug));
  if (!page) return new Response(null, { status: 404 });
  await db.update(pageStats).set({ views: sql`${pageStats.views} + 1` }).where(eq(pageStats.slug, slug));
  return Response.json({ title: page.title });
}
