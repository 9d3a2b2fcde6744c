import { db } from '@/lib/db';

// Toggles the caller's like: the like row is created or deleted first, then the count is written from the value
// read. A 409 there would come after the like row changed for good, telling the client the toggle failed when half
// of it happened, and its retry would undo it. Reported: an increment or decrement in each branch is the fix.
export async function POST(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const userId = req.headers.get('x-user') ?? '';
  const post = await db.post.findUnique({ where: { id } });
  if (!post) return Response.json({ error: 'no such post' }, { status: 404 });
  const mine = await db.postLike.findFirst({ where: { postId: id, userId } });
  let likes = post.likes;
  if (mine) {
    await db.postLike.delete({ where: { id: mine.id } });
    likes = Math.max(0, post.likes - 1);
  } else {
    await db.postLike.create({ data: { postId: id, userId } });
    likes = post.likes + 1;
  }
  await db.post.update({ where: { id }, data: { likes } });
  return Response.json({ liked: !mine, likes });
}
