/**
 * The virtual-user engine's request rate against autocannon's, on the same local endpoint, in one
 * run. Goal: ratio ≥ 0.9 (the VU engine does more per request: cookies, timeouts, histograms).
 *   npm run bench:load [-- --seconds 5 --connections 50]
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { runVirtualUsers } from '../src/load/concurrency.ts';
import { CookieJar } from '../src/load/cookies.ts';
import { LatencyHistogram } from '../src/load/histogram.ts';
import { HttpClient } from '../src/load/http.ts';
import { Timeline } from '../src/load/timeline.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const seconds = arg('seconds', 5);
const connections = arg('connections', 50);

const body = JSON.stringify({ user: { id: 1, name: 'Passenger 001' } });
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 10_000;
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function vuEngine(): Promise<{ rps: number; errors: number; p99Ms: number | null }> {
  const signal = AbortSignal.timeout(seconds * 1000 + 5000);
  const client = new HttpClient(url, signal, connections);
  const hist = new LatencyHistogram();
  const timeline = new Timeline();
  const jar = CookieJar.fromHeader('session=bench');
  let done = 0;
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  const started = performance.now();
  await runVirtualUsers(connections, signal, async () => {
    while (performance.now() < until) {
      const res = await client.request('/api/user/profile', { jar, timeoutMs: 10_000 });
      hist.record(res.durationMs);
      timeline.record(res.errorClass === null, res.durationMs);
      if (res.errorClass) errors++;
      else done++;
    }
  });
  const elapsed = (performance.now() - started) / 1000;
  await client.close();
  return { rps: done / elapsed, errors, p99Ms: hist.summary().p99Ms };
}

async function cannon(): Promise<{ rps: number; errors: number; p99Ms: number }> {
  const result = await autocannon({ url: `${url}/api/user/profile`, connections, duration: seconds, headers: { cookie: 'session=bench' } });
  return { rps: result.requests.total / (result.duration || seconds), errors: result.errors + result.non2xx, p99Ms: result.latency.p99 };
}

try {
  // Warm up both the server and the JIT so neither side pays for it in its measurement.
  await autocannon({ url, connections: 10, amount: 2000 });
  const ours = await vuEngine();
  const theirs = await cannon();
  const ratio = ours.rps / theirs.rps;
  console.log(`endpoint: ${url} · ${connections} connections · ${seconds} s each`);
  console.log(`genie-fix VU engine : ${ours.rps.toFixed(0)} req/s (p99 ${ours.p99Ms} ms, ${ours.errors} errors)`);
  console.log(`autocannon          : ${theirs.rps.toFixed(0)} req/s (p99 ${theirs.p99Ms} ms, ${theirs.errors} errors)`);
  console.log(`ratio               : ${ratio.toFixed(2)} (goal ≥ 0.90) ${ratio >= 0.9 ? 'ok' : 'BELOW GOAL'}`);
  process.exitCode = ratio >= 0.9 ? 0 : 1;
} finally {
  server.closeAllConnections();
  server.close();
}
