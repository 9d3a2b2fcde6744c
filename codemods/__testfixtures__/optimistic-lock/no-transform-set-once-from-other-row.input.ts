import { db } from '@/lib/db';

// Attaches the caller to the member who invited them, once. The value written comes from the inviter's row, but the
// row written is the caller's, and the check that decides the write (no inviter yet) is on the caller's row: two
// attaches at once both pass it and the last one wins. Reported with that reason.
export async function POST(req: Request) {
  const { email, code } = (await req.json()) as { email: string; code: string };
  const me = await db.member.findUnique({ where: { email } });
  if (!me) return Response.json({ error: 'unknown member' }, { status: 404 });
  const inviter = await db.member.findFirst({ where: { displayName: code } });
  if (!inviter) return Response.json({ error: 'unknown code' }, { status: 404 });
  if (!me.invitedById) {
    await db.member.update({ where: { id: me.id }, data: { invitedById: inviter.id } });
  }
  return Response.json({ ok: true });
}
