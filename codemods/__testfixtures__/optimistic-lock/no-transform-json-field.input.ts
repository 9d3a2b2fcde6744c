import { db } from '@/lib/db';

export async function POST(req: Request) {
  const { accountId, tag } = (await req.json()) as { accountId: string; tag: string };
  const wallet = await db.wallet.findUnique({ where: { accountId } });
  if (!wallet) return new Response(null, { status: 404 });
  const meta = { ...(wallet.meta as Record<string, unknown> | null), tag };
  await db.wallet.update({ where: { accountId }, data: { meta } });
  return new Response(null, { status: 204 });
}
