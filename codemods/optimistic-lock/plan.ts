/** What optimistic-lock decides for one update: edit it, hand it to a human with a reason, or leave it alone. */
import type { Edit } from '../ast.ts';

export type Outcome =
  | { kind: 'edit'; edits: Edit[]; imports: string[]; message: string; /** Names the edit uses from 'drizzle-orm' (sql, and, gte …). */ drizzleImports?: string[] }
  | { kind: 'human'; reason: string }
  | { kind: 'leave'; note?: string };

export const human = (reason: string): Outcome => ({ kind: 'human', reason });
