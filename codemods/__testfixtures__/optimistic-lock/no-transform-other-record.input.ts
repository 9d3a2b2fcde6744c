import { db } from '@/lib/db';

// Copies a template order's status onto another order: not a read-modify-write of one record.
export async function POST(req: Request) {
  const { templateId, targetId } = (await req.json()) as { templateId: string; targetId: string };
  const template = await db.order.findUnique({ where: { id: templateId } });
  if (!template) return new Response(null, { status: 404 });
  await db.order.update({ where: { id: targetId }, data: { status: template.status } });
  return new Response(null, { status: 204 });
}
