/**
 * The one table of codemods: order of application, help text and `--only` / `--skip` validation all come from
 * here.
 */
import { cache } from './cache.ts';
import { databaseUrl } from './database-url.ts';
import { fetchCache } from './fetch-cache.ts';
import { geminiQueue } from './gemini-queue.ts';
import { optimisticLock } from './optimistic-lock/index.ts';
import { rateLimiter } from './rate-limiter/index.ts';
import { sessionId } from './session-id.ts';
import { streamBuffer } from './stream-buffer/index.ts';
import { uploadQueue } from './upload-queue/index.ts';
import type { Codemod } from './types.ts';

// gemini-queue runs before cache so cache sees the queued calls as Gemini calls too (either order works).
export const codemods: Codemod[] = [databaseUrl, geminiQueue, cache, rateLimiter, streamBuffer, optimisticLock, uploadQueue, sessionId, fetchCache];

export function codemodHelp(): string {
  return codemods.map((c) => `  ${c.id.padEnd(16)} ${c.title}`).join('\n');
}
