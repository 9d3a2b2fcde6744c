import type { Scenario } from './types.ts';
import { n } from './measure.ts';
import { checkLongReply, longMarker } from '../src/lab/long-reply.ts';
import { forEachConcurrent } from '../src/load/concurrency.ts';
import { noSessionMessage } from '../src/load/sessions.ts';
import { chat } from '../src/load/stream.ts';
import { Timeline } from '../src/load/timeline.ts';
import type { MetricValue } from '../src/report/types.ts';

export const bufferTruncation: Scenario = {
  id: 'buffer-truncation',
  title: 'Long AI replies arrive whole',
  writes: false,
  needsSession: true,

  async run(ctx) {
    const { client, config, sessions, signal } = ctx;
    if (sessions.size === 0) throw new Error(noSessionMessage(sessions));
    const { longReplyChars, longReplyStreams, longReplyConcurrency } = config.payloads;
    const message = `${config.payloads.chatMessage} ${longMarker(longReplyChars)}`;
    const timeline = new Timeline();
    const streams: Array<Record<string, unknown>> = [];
    let complete = 0;
    let finishPresent = 0;
    let bytesExpected = 0;
    let bytesReceived = 0;
    let maxGapMs = 0;
    let html = 0;
    let notFound = 0;
    const ids = Array.from({ length: longReplyStreams }, (_, i) => i);
    await forEachConcurrent(ids, longReplyConcurrency, signal, async (i) => {
      const r = await chat(client, config.routes.chat, message, sessions.get(i).jar, config.timeouts.longChatMs);
      if (r.failure === 'aborted') return;
      if (r.html) html++;
      if (r.status === 404) notFound++;
      const integrity = checkLongReply(r.text);
      // ASCII reply: chars = bytes. Without a header we still expect what we asked for.
      const expected = integrity.expectedChars ?? longReplyChars;
      const whole = r.complete && integrity.ok;
      if (whole) complete++;
      if (r.finishPresent) finishPresent++;
      bytesExpected += expected;
      bytesReceived += integrity.receivedChars;
      maxGapMs = Math.max(maxGapMs, r.maxGapMs);
      timeline.record(whole, r.totalMs, performance.now());
      streams.push({
        stream: i + 1,
        status: r.status,
        complete: whole,
        finishPresent: r.finishPresent,
        finishReason: r.finishReason,
        expectedChars: expected,
        receivedChars: integrity.receivedChars,
        firstGapAtLine: integrity.firstGapAtLine ?? null,
        reason: r.failureMessage ?? integrity.reason ?? (r.unparsedLines ? `${r.unparsedLines} lines did not parse` : null),
        totalMs: Math.round(r.totalMs),
      });
      ctx.progress(`${streams.length}/${longReplyStreams} long replies read`);
    });
    if (streams.length > 0 && (html === streams.length || notFound === streams.length)) {
      throw new Error(`POST ${config.routes.chat} answered ${html ? 'HTML' : 'HTTP 404'} where a chat stream was expected; set routes.chat in --config`);
    }
    const metrics: Record<string, MetricValue> = {
      streams: streams.length,
      complete,
      truncated: streams.length - complete,
      finishPresent,
      expectedChars: bytesExpected,
      receivedChars: bytesReceived,
      // ASCII replies: bytes = chars.
      bytesExpected,
      bytesReceived,
      bytesMissing: Math.max(0, bytesExpected - bytesReceived),
      requestedChars: longReplyChars,
      maxGapMs: Math.round(maxGapMs),
    };
    const broken = streams.filter((s) => !s.complete);
    return {
      metrics,
      evidence: broken.length
        ? [{ kind: 'truncated-streams', message: `${broken.length} of ${streams.length} long replies arrived incomplete or altered`, samples: broken.slice(0, 5) }]
        : [],
      timeline: timeline.points(),
    };
  },

  summarize(m) {
    return `${n(m, 'complete')} of ${n(m, 'streams')} long replies (${n(m, 'requestedChars')} chars) arrived whole; ${n(m, 'bytesReceived')} of ${n(m, 'bytesExpected')} bytes received.`;
  },
};
