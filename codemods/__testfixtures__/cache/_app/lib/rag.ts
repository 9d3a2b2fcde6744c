import { prisma } from '@/lib/prisma';

export type KnowledgeSnippet = {
  id: number;
  title: string;
  content: string;
};

const MAX_SEARCH_TERMS = 8;

function searchTerms(query: string): string[] {
  const words = query
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length >= 2);
  return [...new Set(words)].slice(0, MAX_SEARCH_TERMS);
}

/**
 * Finds knowledge-base articles that mention the words of the question, best matches first
 * (more matching words, then title matches).
 */
export async function searchKnowledgeBase(query: string, limit = 3): Promise<KnowledgeSnippet[]> {
  const terms = searchTerms(query);
  if (terms.length === 0) return [];

  const candidates = await prisma.knowledgeBase.findMany({
    where: {
      OR: terms.flatMap((term) => [
        { title: { contains: term, mode: 'insensitive' as const } },
        { content: { contains: term, mode: 'insensitive' as const } },
      ]),
    },
    take: 20,
  });

  const scored = candidates.map((article) => {
    const title = article.title.toLowerCase();
    const content = article.content.toLowerCase();
    let score = 0;
    for (const term of terms) {
      if (title.includes(term)) score += 2;
      if (content.includes(term)) score += 1;
    }
    return { article, score };
  });

  return scored
    .sort((a, b) => b.score - a.score || a.article.id - b.article.id)
    .slice(0, limit)
    .map(({ article }) => article);
}
