import { db } from '@/lib/db'

const NEXT: Record<string, string> = { pending: 'paid', paid: 'shipped' }

export async function POST(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  const order = await db.order.findUnique({ where: { id } })
  if (!order?.status) return new Response(null, { status: 404 })
  const next = NEXT[order.status]
  if (!next) return Response.json({ error: 'final state' }, { status: 400 })
  await db.order.update({ where: { id: order.id }, data: { status: next } })
  return Response.json({ status: next })
}
