import { db } from '@/lib/db';
import { currentMember } from '@/lib/session';

// The read only proves the caller wrote the article; the new title and body come from the request.
export async function PATCH(request: Request, { params }: { params: Promise<{ articleId: string }> }) {
  const me = await currentMember();
  if (!me) return new Response('Unauthorized', { status: 403 });
  const { articleId } = await params;
  const owned = await db.article.findFirst({ where: { id: articleId, authorId: me.id }, select: { id: true } });
  if (!owned) return new Response(null, { status: 403 });
  const body = (await request.json()) as { title: string; content: string };
  await db.article.update({
    where: { id: owned.id },
    data: { title: body.title, body: body.content },
  });
  return new Response(null, { status: 200 });
}
