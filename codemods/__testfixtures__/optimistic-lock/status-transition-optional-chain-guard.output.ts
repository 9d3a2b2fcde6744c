import { db } from '@/lib/db'
import { versionedUpdate, ConflictError, conflictResponse } from '@/lib/genie/optimistic-lock'

const NEXT: Record<string, string> = { pending: 'paid', paid: 'shipped' }

export async function POST(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  const order = await db.order.findUnique({ where: { id } })
  if (!order?.status) return new Response(null, { status: 404 })
  const next = NEXT[order.status]
  if (!next) return Response.json({ error: 'final state' }, { status: 400 })
  try {
    await versionedUpdate(db.order, {
      where: { id: order.id },
      expected: { status: order.status },
      data: { status: next },
    })
  } catch (err) {
    if (err instanceof ConflictError) return conflictResponse(err)
    throw err
  }
  return Response.json({ status: next })
}
