/**
 * The virtual-user engine's request rate against autocannon's, on the same local endpoint, in one
 * run. Goal: ratio ≥ 0.9 (the VU engine does more per request: cookies, timeouts, histograms).
 *   npm run bench:load [-- --seconds 5 --connections 50]
 */
import { spawn } from 'node:child_process';
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
/** Seconds per round; rounds alternate between the two tools so a noisy machine hits both alike. */
const seconds = arg('seconds', 2);
const rounds = arg('rounds', 3);
const connections = arg('connections', 50);

// The endpoint runs in its own process, so the two load generators compete for the CPU with each
// other's overhead, not with the server's.
const serverSource = `
const http = require('node:http');
const body = JSON.stringify({ user: { id: 1, name: 'Passenger 001' } });
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 10000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;
const child = spawn(process.execPath, ['-e', serverSource], { detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve, reject) => {
  child.once('error', reject);
  child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
});
const url = `http://127.0.0.1:${port}`;

interface Measured {
  requests: number;
  elapsedS: number;
  errors: number;
  p99Ms: number | null;
}

async function vuEngine(seconds: number): Promise<Measured> {
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
  const elapsedS = (performance.now() - started) / 1000;
  await client.close();
  return { requests: done, elapsedS, errors, p99Ms: hist.summary().p99Ms };
}

async function cannon(seconds: number): Promise<Measured> {
  const result = await autocannon({ url: `${url}/api/user/profile`, connections, duration: seconds, headers: { cookie: 'session=bench' } });
  return { requests: result.requests.total, elapsedS: result.duration || seconds, errors: result.errors + result.non2xx, p99Ms: result.latency.p99 };
}

function add(a: Measured, b: Measured): Measured {
  return { requests: a.requests + b.requests, elapsedS: a.elapsedS + b.elapsedS, errors: a.errors + b.errors, p99Ms: Math.max(a.p99Ms ?? 0, b.p99Ms ?? 0) };
}

try {
  // Warm up both the server and the JIT so neither side pays for it in its measurement.
  await cannon(1);
  await vuEngine(1);
  let ours: Measured = { requests: 0, elapsedS: 0, errors: 0, p99Ms: null };
  let theirs: Measured = { requests: 0, elapsedS: 0, errors: 0, p99Ms: null };
  for (let r = 0; r < rounds; r++) {
    ours = add(ours, await vuEngine(seconds));
    theirs = add(theirs, await cannon(seconds));
  }
  const rps = (m: Measured) => m.requests / m.elapsedS;
  const ratio = rps(ours) / rps(theirs);
  console.log(`endpoint: ${url} · ${connections} connections · ${rounds} alternating rounds of ${seconds} s`);
  console.log(`genie-fix VU engine : ${rps(ours).toFixed(0)} req/s (worst-round p99 ${ours.p99Ms} ms, ${ours.errors} errors)`);
  console.log(`autocannon          : ${rps(theirs).toFixed(0)} req/s (worst-round p99 ${theirs.p99Ms} ms, ${theirs.errors} errors)`);
  console.log(`ratio               : ${ratio.toFixed(2)} (goal ≥ 0.90) ${ratio >= 0.9 ? 'ok' : 'BELOW GOAL'}`);
  process.exitCode = ratio >= 0.9 ? 0 : 1;
} finally {
  if (child.pid) process.kill(-child.pid, 'SIGTERM');
}
