import { db } from '@/lib/db';

/** Editors reorder the FAQ in one transaction: both rows move or neither does. */
export async function swapFaqOrder(a: number, b: number) {
  await db.$transaction(async (tx) => {
    const first = await tx.faq.findUniqueOrThrow({ where: { id: a } });
    const second = await tx.faq.findUniqueOrThrow({ where: { id: b } });
    await tx.faq.update({ where: { id: a }, data: { position: second.position } });
    await tx.faq.update({ where: { id: b }, data: { position: first.position } });
  });
}
