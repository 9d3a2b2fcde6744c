import type { Scenario } from './types.ts';
import { cut, n, pct } from './measure.ts';
import { runVirtualUsers } from '../src/load/concurrency.ts';
import { LatencyHistogram } from '../src/load/histogram.ts';
import { noSessionMessage } from '../src/load/sessions.ts';
import { chat, type ChatStreamResult } from '../src/load/stream.ts';
import { Timeline } from '../src/load/timeline.ts';
import type { MetricValue } from '../src/report/types.ts';

/** The Genie app's fallback reply when Gemini fails (BRIEF.md, fix 5). */
export const FALLBACK_TEXT = '죄송합니다. 현재 AI 서비스가 일시적으로 사용 불가합니다. 잠시 후 다시 시도해주세요.';

export type AiFailureKind = 'http' | 'timeout' | 'fallbackText' | 'errorPart' | 'finishError' | 'emptyReply' | 'incomplete';

/** What the user saw go wrong, or null when the reply looked fine. First match wins. */
export function userVisibleFailure(r: ChatStreamResult): AiFailureKind | null {
  if (r.failure === 'timeout') return 'timeout';
  if (r.failure && r.bytes === 0) return 'http';
  if (r.text.includes(FALLBACK_TEXT) || /일시적으로 사용 불가/.test(r.text)) return 'fallbackText';
  if (r.errorParts.length > 0) return 'errorPart';
  if (r.finishReason === 'error') return 'finishError';
  if (r.text.trim() === '') return 'emptyReply';
  if (!r.complete) return 'incomplete';
  return null;
}

export const gemini429: Scenario = {
  id: 'gemini-429',
  title: 'AI chat under concurrent users (Gemini rate limits)',
  writes: false,
  needsSession: true,

  async run(ctx) {
    const { client, config, sessions, signal } = ctx;
    if (sessions.size === 0) throw new Error(noSessionMessage(sessions));
    const ttft = new LatencyHistogram();
    const total = new LatencyHistogram();
    const timeline = new Timeline();
    const kinds: Record<AiFailureKind, number> = { http: 0, timeout: 0, fallbackText: 0, errorPart: 0, finishError: 0, emptyReply: 0, incomplete: 0 };
    const samples: unknown[] = [];
    let chats = 0;
    let html = 0;
    let notFound = 0;
    await runVirtualUsers(ctx.users, signal, async (vu) => {
      const r = await chat(client, config.routes.chat, config.payloads.chatMessage, sessions.get(vu).jar, config.timeouts.chatMs);
      if (r.failure === 'aborted') return;
      chats++;
      if (r.html) html++;
      if (r.status === 404) notFound++;
      if (r.ttftMs !== null) ttft.record(r.ttftMs);
      total.record(r.totalMs);
      const kind = userVisibleFailure(r);
      timeline.record(kind === null, r.totalMs, performance.now());
      if (kind) {
        kinds[kind]++;
        if (samples.length < 5) samples.push({ kind, status: r.status, finishReason: r.finishReason, error: r.errorParts[0] ?? r.failureMessage, text: cut(r.text, 160) });
      }
      ctx.progress(`${chats}/${ctx.users} chats done`);
    });
    if (chats > 0 && (html === chats || notFound === chats)) {
      throw new Error(`POST ${config.routes.chat} answered ${html ? 'HTML' : 'HTTP 404'} where a chat stream was expected; set routes.chat in --config`);
    }
    const failures = Object.values(kinds).reduce((a, b) => a + b, 0);
    const t = ttft.summary();
    const tot = total.summary();
    const metrics: Record<string, MetricValue> = {
      chats,
      ok: chats - failures,
      aiFailures: failures,
      aiFailureRatePct: pct(failures, chats),
      failuresByKind: kinds,
      // The app hides Gemini's 429s behind its fallback: not observable from outside.
      upstream429: 'n/a',
      ttftP50Ms: t.p50Ms,
      ttftP95Ms: t.p95Ms,
      totalP95Ms: tot.p95Ms,
    };
    return {
      metrics,
      evidence: failures
        ? [{ kind: 'ai-failures', message: `${failures} of ${chats} users saw the AI fail (${metrics.aiFailureRatePct} %)`, samples }]
        : [],
      timeline: timeline.points(),
    };
  },

  summarize(m) {
    return `${n(m, 'aiFailures')} of ${n(m, 'chats')} concurrent chats failed for the user (${n(m, 'aiFailureRatePct')} %); time to first token p95 ${m.ttftP95Ms ?? '–'} ms, total p95 ${m.totalP95Ms ?? '–'} ms.`;
  },
};
