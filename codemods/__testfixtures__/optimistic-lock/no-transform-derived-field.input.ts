'use server';

import { db } from '@/lib/db';
import { summarize } from '@/lib/summarize';

// Writes a summary computed from the article's body after a slow call. The summary's old value is never read, so two
// runs at once each write a whole summary of their own and no change is lost: nothing to fix here.
export async function refreshSummary(articleId: string) {
  const article = await db.article.findUnique({ where: { id: articleId } });
  if (!article?.body) return null;
  const summary = await summarize(article.body);
  await db.article.update({ where: { id: articleId }, data: { summary } });
  return summary;
}
