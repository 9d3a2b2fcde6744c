import { db } from '@/lib/db';

const FREE_CALLS = 5;

// The free tier's counter: routes ask hasFreeCallsLeft() before calling the model and countFreeCall() after.
// The check and the count are two functions, so no single write can carry the check: it is reported.
export async function countFreeCall(userId: string) {
  const usage = await db.usageLimit.findUnique({ where: { userId } });
  if (usage) {
    await db.usageLimit.update({ where: { userId }, data: { count: { increment: 1 } } });
  } else {
    await db.usageLimit.create({ data: { userId, count: 1 } });
  }
}

export async function hasFreeCallsLeft(userId: string): Promise<boolean> {
  const usage = await db.usageLimit.findUnique({ where: { userId } });
  return !usage || usage.count < FREE_CALLS;
}
