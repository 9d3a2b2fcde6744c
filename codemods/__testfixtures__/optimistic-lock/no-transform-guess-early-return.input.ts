import { db } from '@/lib/db';

// The same five-guess cap, written the other way round: a right guess returns early, a wrong one is counted after.
// Concurrent guesses are all compared before any is counted: reported, not made conditional.
export async function POST(req: Request) {
  const { email, guess } = (await req.json()) as { email: string; guess: string };
  const entry = await db.signInCode.findUnique({ where: { email } });
  if (!entry) return Response.json({ error: 'no code was sent' }, { status: 404 });
  if (entry.tries >= 5) return Response.json({ error: 'too many tries' }, { status: 429 });
  const matches = entry.code === guess;
  if (matches) {
    await db.signInCode.delete({ where: { email } });
    return Response.json({ ok: true });
  }
  await db.signInCode.update({ where: { email }, data: { tries: { increment: 1 } } });
  return Response.json({ error: 'wrong code' }, { status: 401 });
}
