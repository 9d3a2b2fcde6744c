/**
 * The one table of codemods: order of application, help text and `--only` / `--skip` validation all come from
 * here.
 */
import { cache } from './cache.ts';
import { databaseUrl } from './database-url.ts';
import { fetchCache } from './fetch-cache.ts';
import { callsGemini, mentionsGemini } from './gemini-detect.ts';
import { geminiQueue } from './gemini-queue.ts';
import { optimisticLock } from './optimistic-lock/index.ts';
import { rateLimiter } from './rate-limiter/index.ts';
import { sessionId } from './session-id.ts';
import { streamBuffer } from './stream-buffer/index.ts';
import { uploadQueue } from './upload-queue/index.ts';
import type { Codemod } from './types.ts';

/**
 * cache edits only routes that call Gemini (its transform keeps the files with `mentionsGemini(text) &&
 * callsGemini(sf)` as readers) and, for their reads, the writers of the same models; with no such route it does
 * nothing, so the writers (most of its prefiltered files) need not be parsed. Keep in step with cache.ts.
 */
const cacheAnchored: Codemod = { ...cache, anchor: { text: mentionsGemini, file: (sf) => mentionsGemini(sf.getFullText()) && callsGemini(sf) } };

// gemini-queue runs before cache so cache sees the queued calls as Gemini calls too (either order works).
export const codemods: Codemod[] = [databaseUrl, geminiQueue, cacheAnchored, rateLimiter, streamBuffer, optimisticLock, uploadQueue, sessionId, fetchCache];

export function codemodHelp(): string {
  return codemods.map((c) => `  ${c.id.padEnd(16)} ${c.title}`).join('\n');
}
