import { db } from '@/lib/db';

// The same pending-only edit, but the write also connects a plan through a relation, which updateMany cannot do:
// left as written.
export async function PATCH(req: Request) {
  const { email, planId } = (await req.json()) as { email: string; planId: string };
  const member = await db.member.findUnique({ where: { email } });
  if (!member) return Response.json({ error: 'no such member' }, { status: 404 });
  if (member.role === 'suspended') return Response.json({ error: 'suspended' }, { status: 403 });
  await db.member.update({ where: { email }, data: { plan: { connect: { id: planId } } } });
  return Response.json({ ok: true });
}
