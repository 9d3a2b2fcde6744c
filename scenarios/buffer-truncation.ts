import type { Scenario, ScenarioContext } from './types.ts';
import { chatCaller, skippedWithoutChat } from './chat-request.ts';
import { cut, n } from './measure.ts';
import { POINT_APP_AT_MOCK, checkLongReply, isLongReply, longMarker } from '../src/lab/long-reply.ts';
import { forEachConcurrent } from '../src/load/concurrency.ts';
import { noSessionMessage } from '../src/load/sessions.ts';
import { chat, type ChatStreamResult } from '../src/load/stream.ts';
import { Timeline } from '../src/load/timeline.ts';
import type { MetricValue } from '../src/report/types.ts';

/**
 * Long AI replies, checked end to end. Only mock-gemini writes replies that carry their own length
 * and sha256 (src/lab/long-reply.ts); through any other Gemini a cut reply and a whole one look the
 * same — always so in plain-text streams, which have no finish part — so without self-checking
 * replies this scenario skips rather than guess. Units: chars are UTF-16 code units (JavaScript
 * string length); bytes are UTF-8 bytes of the reply text; wire bytes include the stream's framing.
 */
interface Tally {
  streams: number;
  /** Replies recognisable as genie long replies: their integrity can be checked. */
  selfChecking: number;
  complete: number;
  truncated: number;
  /** Replies with text that is not a long reply (another model's answer, a fallback message). */
  notLongReply: number;
  /** Replies with no text at all (HTTP error, timeout, empty stream). */
  noReply: number;
  finishPresent: number;
  expectedChars: number;
  receivedChars: number;
  bytesReceived: number;
  wireBytes: number;
  maxGapMs: number;
  html: number;
  notFound: number;
  formats: Set<string>;
  samples: Array<Record<string, unknown>>;
  unchecked: Array<Record<string, unknown>>;
}

function record(t: Tally, i: number, r: ChatStreamResult, requestedChars: number, timeline: Timeline): void {
  t.streams++;
  if (r.html) t.html++;
  if (r.status === 404) t.notFound++;
  if (r.format !== 'unknown') t.formats.add(r.format);
  t.wireBytes += r.bytes;
  t.maxGapMs = Math.max(t.maxGapMs, r.maxGapMs);
  if (!isLongReply(r.text)) {
    if (r.text.trim() === '') t.noReply++;
    else t.notLongReply++;
    t.unchecked.push({ stream: i + 1, status: r.status, format: r.format, text: cut(r.text, 160), reason: r.failureMessage ?? (r.text.trim() ? 'not a genie long reply' : 'no reply text') });
    return;
  }
  t.selfChecking++;
  const integrity = checkLongReply(r.text);
  // Without the header we still expect what we asked for.
  const expected = integrity.expectedChars ?? requestedChars;
  const whole = r.complete && integrity.ok;
  if (whole) t.complete++;
  else t.truncated++;
  if (r.finishPresent) t.finishPresent++;
  t.expectedChars += expected;
  t.receivedChars += r.text.length;
  t.bytesReceived += Buffer.byteLength(r.text, 'utf8');
  timeline.record(whole, r.totalMs, performance.now());
  if (!whole) {
    t.samples.push({
      stream: i + 1,
      status: r.status,
      format: r.format,
      finishPresent: r.finishPresent,
      finishReason: r.finishReason,
      expectedChars: expected,
      receivedChars: r.text.length,
      firstGapAtLine: integrity.firstGapAtLine ?? null,
      reason: r.failureMessage ?? integrity.reason ?? (r.unparsedLines ? `${r.unparsedLines} lines did not parse` : 'the stream did not end with its finish part'),
      totalMs: Math.round(r.totalMs),
    });
  }
}

/** Why nothing could be checked: skip when the app's Gemini may be another one; error when it is the lab's mock. */
function unmeasuredReason(ctx: ScenarioContext, t: Tally, route: string): { verdict: 'skip' | 'error'; reason: string } {
  const seen = t.unchecked[0];
  const what = t.notLongReply
    ? `${t.notLongReply} of ${t.streams} long-reply requests came back as ordinary text (first: "${String(seen?.text ?? '')}")`
    : `no reply text came back (${String(seen?.reason ?? 'empty')})`;
  if (ctx.lab) {
    // The lab's app talks to the mock, so a long reply was owed: this is a failure to measure, not a different Gemini.
    return { verdict: 'error', reason: `${route}: ${what}, though the lab's Gemini is mock-gemini; see the evidence and the app's log` };
  }
  if (!t.notLongReply) return { verdict: 'error', reason: `${route}: ${what}; nothing to check` };
  return {
    verdict: 'skip',
    reason:
      `replies are not self-checking: ${what}, so the app's Gemini is not mock-gemini and a cut reply cannot be told from a whole one. ` +
      `To check long replies, ${POINT_APP_AT_MOCK}`,
  };
}

export const bufferTruncation: Scenario = {
  id: 'buffer-truncation',
  title: 'Long AI replies arrive whole',
  writes: false,
  needsSession: true,

  async run(ctx) {
    const { client, config, sessions, signal } = ctx;
    const skipped = skippedWithoutChat(config);
    if (skipped) return skipped;
    if (sessions.size === 0) throw new Error(noSessionMessage(sessions));
    const { longReplyChars, longReplyStreams, longReplyConcurrency } = config.payloads;
    const message = `${config.payloads.chatMessage} ${longMarker(longReplyChars)}`;
    const format = ctx.streamFormat;
    const target = chatCaller(config);
    const timeline = new Timeline();
    const t: Tally = {
      streams: 0, selfChecking: 0, complete: 0, truncated: 0, notLongReply: 0, noReply: 0, finishPresent: 0,
      expectedChars: 0, receivedChars: 0, bytesReceived: 0, wireBytes: 0, maxGapMs: 0, html: 0, notFound: 0,
      formats: new Set(), samples: [], unchecked: [],
    };
    let first: ChatStreamResult | undefined;
    const read = async (i: number) => {
      const { path, request } = target.call(message, i);
      const r = await chat(client, path, message, sessions.get(i).jar, config.timeouts.longChatMs, { format, request });
      if (r.failure === 'aborted') return;
      first ??= r;
      record(t, i, r, longReplyChars, timeline);
      ctx.progress(`${t.streams}/${longReplyStreams} long replies read`);
    };
    // One reply first: when it is plainly another model's answer (ordinary text, ended normally, no
    // error), the rest would only spend the user's Gemini quota. A fallback message is not plain: go on.
    await read(0);
    const plainlyNotTheMock =
      !ctx.lab && first !== undefined && t.notLongReply === 1 && first.complete && first.errorParts.length === 0 && first.finishReason !== 'error';
    if (!plainlyNotTheMock) {
      const rest = Array.from({ length: longReplyStreams - 1 }, (_, i) => i + 1);
      await forEachConcurrent(rest, longReplyConcurrency, signal, read);
    }
    if (t.streams > 0 && (t.html === t.streams || t.notFound === t.streams)) {
      throw new Error(`${target.label} answered ${t.html ? 'HTML' : 'HTTP 404'} where a chat stream was expected; set ${target.configKey} in --config`);
    }
    const metrics: Record<string, MetricValue> = {
      streams: t.streams,
      selfChecking: t.selfChecking,
      complete: t.complete,
      truncated: t.truncated,
      notLongReply: t.notLongReply,
      noReply: t.noReply,
      finishPresent: t.finishPresent,
      streamFormat: [...t.formats].join(', ') || 'unknown',
      // UTF-16 code units (JavaScript string length) of reply text.
      expectedChars: t.expectedChars,
      receivedChars: t.receivedChars,
      // The long reply is ASCII, so the chars its header promises are also its UTF-8 bytes.
      bytesExpected: t.expectedChars,
      bytesReceived: t.bytesReceived,
      bytesMissing: Math.max(0, t.expectedChars - t.bytesReceived),
      // Body bytes on the wire, stream framing included.
      wireBytes: t.wireBytes,
      requestedChars: longReplyChars,
      maxGapMs: Math.round(t.maxGapMs),
    };
    const evidence = [];
    if (t.samples.length) {
      evidence.push({ kind: 'truncated-streams', message: `${t.truncated} of ${t.selfChecking} self-checking long replies arrived incomplete or altered`, samples: t.samples.slice(0, 5) });
    }
    if (t.unchecked.length) {
      evidence.push({ kind: 'unchecked-replies', message: `${t.unchecked.length} of ${t.streams} replies could not be checked: they were not genie long replies`, samples: t.unchecked.slice(0, 5) });
    }
    const outcome = { metrics, evidence, timeline: timeline.points() };
    if (t.selfChecking === 0 && t.streams > 0) return { ...outcome, unmeasured: unmeasuredReason(ctx, t, target.label) };
    return outcome;
  },

  summarize(m) {
    const unchecked = n(m, 'notLongReply') + n(m, 'noReply');
    return (
      `${n(m, 'complete')} of ${n(m, 'selfChecking')} self-checking long replies (${n(m, 'requestedChars')} chars each) arrived whole; ` +
      `${n(m, 'receivedChars')} of ${n(m, 'expectedChars')} chars of reply text received (UTF-16 code units)` +
      (unchecked ? `; ${unchecked} repl${unchecked === 1 ? 'y' : 'ies'} could not be checked (not a long reply)` : '') +
      '.'
    );
  },
};
