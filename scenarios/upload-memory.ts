import { randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import type { Scenario } from './types.ts';
import { cut, n } from './measure.ts';
import { forEachConcurrent } from '../src/load/concurrency.ts';
import { LatencyHistogram } from '../src/load/histogram.ts';
import { isHtml } from '../src/load/http.ts';
import { Timeline } from '../src/load/timeline.ts';
import { sampleGroupRss } from '../src/lab/rss.ts';
import type { Evidence, MetricValue } from '../src/report/types.ts';
import { parseConfig } from '../src/config.ts';

/**
 * The memo's problem 7: `await file.arrayBuffer()` holds every upload whole in memory, so 100
 * concurrent uploads ≈ 1 GB; its fix (1 MB chunks, then Buffer.concat) still holds it, twice.
 * We send concurrent multi-MB multipart uploads and, on the lab, sample the app processes' RSS.
 *
 * The rule: growth = peak RSS during the burst − RSS before it (all instances together);
 * per upload = growth / concurrent uploads; its preset rule (`rssPerUploadRatio` < 0.5) fails ½ a file
 * size or more per upload. Buffering the whole file costs at least one file size per upload in flight (formData()
 * keeps it, arrayBuffer() copies it); streaming to the destination costs a few 64 KB chunks.
 * Remotely the app's memory is invisible: errors and latency only, RSS 'n/a'.
 */

const MiB = 1024 * 1024;

/** One multipart body, reused by every upload (the content does not matter, only its size). */
export function multipartBody(fileBytes: number): { body: Buffer; contentType: string } {
  const boundary = `----genie-fix-${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="passport.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  // Incompressible bytes, so no layer between us and the app can shrink them.
  const file = randomBytes(fileBytes);
  return { body: Buffer.concat([head, file, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}

export const uploadMemory: Scenario = {
  id: 'upload-memory',
  title: 'Concurrent passport uploads do not hold whole files in memory',
  writes: true,

  async run(ctx) {
    const { config, signal } = ctx;
    // The default route is the sample app's passport upload: an app described by its own target description has
    // other routes, and uploads to a route it does not have would be counted as failed uploads.
    if (config.target && config.routes.upload === parseConfig({}).routes.upload) {
      return { metrics: {}, evidence: [], unmeasured: { verdict: 'skip', reason: "the target description names no upload route: set routes.upload in --config to a route that takes a multipart file ({token} becomes a random token), and upload-memory sends it there" } };
    }
    const uploads = config.payloads.uploads;
    const fileBytes = Math.round(config.payloads.uploadMb * MiB);
    const token = randomBytes(12).toString('base64url');
    const path = config.routes.upload.replace('{token}', token);
    const { body, contentType } = multipartBody(fileBytes);
    const url = new URL(ctx.baseUrl + path);
    // Its own connections: every upload in flight at once, none queued behind the run's other sockets.
    const agent = new Agent({ connections: uploads, keepAliveTimeout: 1000 });
    const latency = new LatencyHistogram();
    const timeline = new Timeline();
    const byStatus: Record<string, number> = {};
    const samples: unknown[] = [];
    let ok = 0;
    let sent = 0;
    let htmlPages = 0;
    const sampler = ctx.lab?.appGroups.length ? await sampleGroupRss(ctx.lab.appGroups) : undefined;
    let rss: Awaited<ReturnType<NonNullable<typeof sampler>['stop']>> | undefined;
    try {
      const items = Array.from({ length: uploads }, (_, i) => i);
      await forEachConcurrent(items, uploads, signal, async () => {
        const started = performance.now();
        let status = 0;
        let text = '';
        // Not `contentType`: that name is the request's multipart type (shadowing it sent uploads without one).
        let answerType = '';
        try {
          const res = await request(url, {
            method: 'POST',
            body,
            headers: { 'content-type': contentType, 'content-length': String(body.length) },
            dispatcher: agent,
            signal: AbortSignal.any([signal, AbortSignal.timeout(config.timeouts.requestMs)]),
            headersTimeout: config.timeouts.requestMs,
            bodyTimeout: config.timeouts.requestMs,
          });
          status = res.statusCode;
          answerType = String(res.headers['content-type'] ?? '');
          text = await res.body.text();
        } catch (err) {
          text = (err as Error).message;
        }
        if (signal.aborted) return;
        const ms = performance.now() - started;
        sent++;
        if (status > 0 && isHtml({ contentType: answerType, text })) htmlPages++;
        latency.record(ms);
        const good = status >= 200 && status < 300;
        timeline.record(good, ms);
        if (good) ok++;
        else {
          const key = status === 0 ? 'no-answer' : String(status);
          byStatus[key] = (byStatus[key] ?? 0) + 1;
          if (samples.length < 3) samples.push({ status, body: cut(text, 160) });
        }
        ctx.progress(`${sent}/${uploads} uploads`);
      });
    } finally {
      rss = await sampler?.stop();
      await agent.close().catch(() => undefined);
    }
    const lat = latency.summary();
    const metrics: Record<string, MetricValue> = {
      uploads: sent,
      concurrency: uploads,
      fileBytes,
      ok,
      errors: sent - ok,
      errorsByStatus: byStatus,
      p50Ms: lat.p50Ms,
      p95Ms: lat.p95Ms,
      rssBaselineBytes: 'n/a',
      rssPeakBytes: 'n/a',
      rssGrowthBytes: 'n/a',
      rssGrowthPerUploadBytes: 'n/a',
      rssPerUploadRatio: 'n/a',
    };
    const evidence: Evidence[] = [];
    if (rss) {
      const growth = Math.max(0, rss.peakBytes - rss.baselineBytes);
      const perUpload = Math.round(growth / uploads);
      Object.assign(metrics, {
        rssBaselineBytes: rss.baselineBytes,
        rssPeakBytes: rss.peakBytes,
        rssGrowthBytes: growth,
        rssGrowthPerUploadBytes: perUpload,
        rssPerUploadRatio: Math.round((perUpload / fileBytes) * 100) / 100,
        rssPeakByInstanceBytes: Object.fromEntries(rss.peakPerGroupBytes.map((b, i) => [`instance-${i + 1}`, b])),
        rssSamples: rss.samples,
      });
      evidence.push({
        kind: 'app-memory',
        message: `${uploads} concurrent ${(fileBytes / MiB).toFixed(1)} MB uploads raised the app's RSS from ${mb(rss.baselineBytes)} to ${mb(rss.peakBytes)} MB (+${mb(growth)} MB, ${mb(perUpload)} MB per upload = ${metrics.rssPerUploadRatio} × the file size)`,
      });
    } else {
      evidence.push({ kind: 'app-memory', message: 'the app runs elsewhere: its memory is not visible (run against a lab, or pass --lab-dir)' });
    }
    if (sent - ok) evidence.push({ kind: 'upload-failures', message: `${sent - ok} of ${sent} uploads failed`, samples });
    // A catch-all page (a SPA fallback, a login wall) answers 200 to anything: no upload was received,
    // so "0 errors" would be a pass for something never measured.
    if (sent > 0 && htmlPages === sent) {
      return {
        metrics,
        evidence,
        timeline: timeline.points(),
        unmeasured: {
          verdict: 'error',
          reason: `POST ${config.routes.upload} answered an HTML page to every upload (${sent}): that is a page, not the upload route, so no upload was measured; set routes.upload in --config`,
        },
      };
    }
    return { metrics, evidence, timeline: timeline.points() };
  },

  summarize(m) {
    const mem = typeof m.rssGrowthPerUploadBytes === 'number'
      ? `peak RSS +${mb(n(m, 'rssGrowthBytes'))} MB (${m.rssPerUploadRatio} × file size per upload)`
      : 'app memory not visible (remote target)';
    return `${n(m, 'ok')} of ${n(m, 'uploads')} uploads of ${mb(n(m, 'fileBytes'))} MB ok, p95 ${m.p95Ms ?? '–'} ms; ${mem}.`;
  },
};

function mb(bytes: number): string {
  return (bytes / MiB).toFixed(1);
}
