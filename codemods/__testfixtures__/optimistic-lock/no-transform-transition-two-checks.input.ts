'use server';

import { db } from '@/lib/db';

// Two checks of the same status before the transition: one where could hold only one of them, and the other would
// still race. Left to the compare-and-set rules (here: reported, a server action).
export async function shipOrder(orderId: string) {
  const order = await db.order.findUnique({ where: { id: orderId } });
  if (!order) throw new Error('no such order');
  if (order.status === 'cancelled') throw new Error('order was cancelled');
  if (order.status !== 'paid') throw new Error('only a paid order can ship');
  await db.order.update({ where: { id: orderId }, data: { status: 'shipped' } });
  return { shipped: true };
}
