import { db } from '@/lib/db';

// Appends a line to an article: `+` joins text here, so this is not a counter the database could increment.
export async function POST(request: Request, { params }: { params: Promise<{ articleId: string }> }) {
  const { articleId } = await params;
  const { line } = (await request.json()) as { line: string };
  const article = await db.article.findUnique({ where: { id: articleId } });
  if (!article) return new Response(null, { status: 404 });
  await db.article.update({ where: { id: articleId }, data: { body: article.body + '\n' + line } });
  return new Response(null, { status: 204 });
}
