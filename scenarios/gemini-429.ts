import type { Scenario } from './types.ts';
import { chatCaller, skippedWithoutChat } from './chat-request.ts';
import { cut, n, pct } from './measure.ts';
import { isMidStreamErrorReply } from '../src/lab/mock-gemini-faults.ts';
import { readMockGeminiStats, statsDelta } from '../src/lab/mock-gemini-stats.ts';
import { runVirtualUsers } from '../src/load/concurrency.ts';
import { LatencyHistogram } from '../src/load/histogram.ts';
import { noSessionMessage } from '../src/load/sessions.ts';
import { chat, type ChatStreamResult } from '../src/load/stream.ts';
import { Timeline } from '../src/load/timeline.ts';
import type { MetricValue } from '../src/report/types.ts';

/** The Genie app's fallback reply when Gemini fails (BRIEF.md, fix 5). */
export const FALLBACK_TEXT = '죄송합니다. 현재 AI 서비스가 일시적으로 사용 불가합니다. 잠시 후 다시 시도해주세요.';

export type AiFailureKind = 'http' | 'timeout' | 'fallbackText' | 'errorPart' | 'finishError' | 'emptyReply' | 'incomplete';

/**
 * What the user saw go wrong, or null when the reply looked fine. First match wins. `incomplete`
 * means a missing finish part only in formats that have one; a plain-text reply is incomplete only
 * when its transport broke (src/load/stream.ts, `completeness`).
 */
export function userVisibleFailure(r: ChatStreamResult, fallbackPatterns: readonly RegExp[] = []): AiFailureKind | null {
  if (r.failure === 'timeout') return 'timeout';
  if (r.failure && r.bytes === 0) return 'http';
  if (r.text.includes(FALLBACK_TEXT) || /일시적으로 사용 불가/.test(r.text) || fallbackPatterns.some((p) => p.test(r.text))) return 'fallbackText';
  if (r.errorParts.length > 0) return 'errorPart';
  if (r.finishReason === 'error') return 'finishError';
  if (r.text.trim() === '') return 'emptyReply';
  if (!r.complete) return 'incomplete';
  return null;
}

/**
 * How the app passed on a Gemini failure in the middle of a reply (mock-gemini's mid-stream
 * errors, whose replies are tagged): shown to the user as an error, or ended as if whole.
 */
interface MidStream {
  cut: number;
  shownAsError: number;
  silentlyTruncated: number;
}

export const gemini429: Scenario = {
  id: 'gemini-429',
  title: 'AI chat under concurrent users (Gemini rate limits)',
  writes: false,
  needsSession: true,

  async run(ctx) {
    const { client, config, sessions, signal } = ctx;
    const skipped = skippedWithoutChat(config);
    if (skipped) return skipped;
    if (sessions.size === 0) throw new Error(noSessionMessage(sessions));
    const format = ctx.streamFormat;
    const target = chatCaller(config);
    // The target description's own signs of a failed reply, beside the Genie fallback text.
    const fallbackPatterns = (config.target?.chat?.fallbackPatterns ?? []).map((p) => new RegExp(p));
    // The lab's mock sees what the app hides: the 429s it sent, and whether it cuts replies mid-stream.
    const before = await readMockGeminiStats(ctx.lab?.statsUrl);
    const ttft = new LatencyHistogram();
    const total = new LatencyHistogram();
    const timeline = new Timeline();
    const kinds: Record<AiFailureKind, number> = { http: 0, timeout: 0, fallbackText: 0, errorPart: 0, finishError: 0, emptyReply: 0, incomplete: 0 };
    const midStream: MidStream = { cut: 0, shownAsError: 0, silentlyTruncated: 0 };
    const samples: unknown[] = [];
    const midSamples: unknown[] = [];
    const formats = new Set<string>();
    let chats = 0;
    let html = 0;
    let notFound = 0;
    await runVirtualUsers(ctx.users, signal, async (vu) => {
      const { path, request } = target.call(config.payloads.chatMessage, vu);
      const r = await chat(client, path, config.payloads.chatMessage, sessions.get(vu).jar, config.timeouts.chatMs, { format, request });
      if (r.failure === 'aborted') return;
      chats++;
      if (r.html) html++;
      if (r.status === 404) notFound++;
      if (r.format !== 'unknown') formats.add(r.format);
      if (r.ttftMs !== null) ttft.record(r.ttftMs);
      total.record(r.totalMs);
      const kind = userVisibleFailure(r, fallbackPatterns);
      const sample = { kind, status: r.status, format: r.format, finishReason: r.finishReason, error: r.errorParts[0] ?? r.failureMessage, text: cut(r.text, 160) };
      if (isMidStreamErrorReply(r.text)) {
        // An injected upstream fault, not a rate limit: counted on its own, outside aiFailures.
        midStream.cut++;
        if (kind) midStream.shownAsError++;
        else midStream.silentlyTruncated++;
        if (midSamples.length < 5) midSamples.push(sample);
      } else {
        timeline.record(kind === null, r.totalMs, performance.now());
        if (kind) {
          kinds[kind]++;
          if (samples.length < 5) samples.push(sample);
        }
      }
      ctx.progress(`${chats}/${ctx.users} chats done`);
    });
    if (chats > 0 && (html === chats || notFound === chats)) {
      throw new Error(`${target.label} answered ${html ? 'HTML' : 'HTTP 404'} where a chat stream was expected; set ${target.configKey} in --config`);
    }
    const after = await readMockGeminiStats(ctx.lab?.statsUrl);
    const upstream = statsDelta(before, after);
    const failures = Object.values(kinds).reduce((a, b) => a + b, 0);
    const t = ttft.summary();
    const tot = total.summary();
    const metrics: Record<string, MetricValue> = {
      chats,
      ok: chats - failures - midStream.cut,
      aiFailures: failures,
      aiFailureRatePct: pct(failures, chats),
      failuresByKind: kinds,
      streamFormat: [...formats].join(', ') || 'unknown',
      // The app hides Gemini's 429s; only the lab's mock can count them.
      upstream429: upstream ? upstream.rejected429 : 'n/a',
      ttftP50Ms: t.p50Ms,
      ttftP95Ms: t.p95Ms,
      totalP95Ms: tot.p95Ms,
    };
    // Only when Gemini is the mock with mid-stream errors on (its stats say so, or its tagged replies do).
    const midStreamOn = (after?.faults.midStreamErrorRate ?? 0) > 0 || midStream.cut > 0;
    if (midStreamOn) metrics.midStreamErrors = { ...midStream, ...(upstream ? { upstreamCut: upstream.midStreamErrors } : {}) };
    const evidence = [];
    if (failures) evidence.push({ kind: 'ai-failures', message: `${failures} of ${chats} users saw the AI fail (${metrics.aiFailureRatePct} %)`, samples });
    if (midStream.silentlyTruncated) {
      evidence.push({
        kind: 'mid-stream-silent',
        message: `${midStream.silentlyTruncated} of ${midStream.cut} replies Gemini cut mid-stream reached the user as if whole: no error part, a normal finish`,
        samples: midSamples,
      });
    }
    return { metrics, evidence, timeline: timeline.points() };
  },

  summarize(m) {
    const mid = m.midStreamErrors;
    const midText =
      mid && typeof mid === 'object'
        ? ` Of ${mid.cut ?? 0} replies Gemini cut mid-stream, ${mid.shownAsError ?? 0} showed an error and ${mid.silentlyTruncated ?? 0} ended silently truncated.`
        : '';
    return (
      `${n(m, 'aiFailures')} of ${n(m, 'chats')} concurrent chats failed for the user (${n(m, 'aiFailureRatePct')} %); ` +
      `time to first token p95 ${m.ttftP95Ms ?? '–'} ms, total p95 ${m.totalP95Ms ?? '–'} ms.${midText}`
    );
  },
};
