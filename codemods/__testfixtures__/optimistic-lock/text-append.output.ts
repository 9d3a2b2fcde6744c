import { db } from '@/lib/db';
import { versionedUpdate, ConflictError, conflictResponse } from '@/lib/genie/optimistic-lock';

// Appends a line to an article: `+` joins text here, so this is not a counter the database could increment.
export async function POST(request: Request, { params }: { params: Promise<{ articleId: string }> }) {
  const { articleId } = await params;
  const { line } = (await request.json()) as { line: string };
  const article = await db.article.findUnique({ where: { id: articleId } });
  if (!article) return new Response(null, { status: 404 });
  try {
    await versionedUpdate(db.article, {
      where: { id: articleId },
      expected: { body: article.body },
      data: { body: article.body + '\n' + line },
    });
  } catch (err) {
    if (err instanceof ConflictError) return conflictResponse(err);
    throw err;
  }
  return new Response(null, { status: 204 });
}
