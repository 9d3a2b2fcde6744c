/**
 * The lab's in-process parts (latency proxy to PostgreSQL, round-robin proxy in front of the
 * instances, mock Gemini) must outlive `lab up`, so they run here, in one detached Node process:
 *   node --import tsx src/lab/daemon.ts <labDir>
 * It reads daemon-config.json, writes daemon.json with its ports, and exits on SIGTERM/SIGINT.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLatencyProxy } from './latency-proxy.ts';
import { startRoundRobinProxy } from './round-robin-proxy.ts';
import { writeJsonAtomic } from './state.ts';
import { daemonConfigFile, daemonInfoFile, type DaemonConfig, type DaemonInfo } from './daemon-client.ts';

async function main(labDir: string): Promise<void> {
  const config = JSON.parse(await fs.readFile(daemonConfigFile(labDir), 'utf8')) as DaemonConfig;
  const { startMockGemini } = await import('./mock-gemini.ts');
  const gemini = await startMockGemini({ port: 0, ...config.gemini });
  const dbProxy = await startLatencyProxy({ targetPort: config.pgPort, delayMs: config.dbLatencyMs });
  const proxy = await startRoundRobinProxy({ targets: config.instancePorts.map((p) => `http://127.0.0.1:${p}`) });

  // Counters of the in-process parts, for diagnose and demo (e.g. how many 429s Gemini really sent).
  const statsServer = http.createServer((req, res) => {
    if (req.url !== '/stats') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ gemini: gemini.stats(), dbProxy: dbProxy.stats(), proxy: proxy.stats() }));
  });
  await new Promise<void>((resolve) => statsServer.listen(0, '127.0.0.1', () => resolve()));
  const statsPort = (statsServer.address() as AddressInfo).port;

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    statsServer.closeAllConnections();
    await Promise.allSettled([proxy.close(), dbProxy.close(), gemini.close(), new Promise((r) => statsServer.close(r))]);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', stop);

  const info: DaemonInfo = {
    pid: process.pid,
    dbProxyPort: dbProxy.port,
    proxyPort: proxy.port,
    proxyUrl: proxy.url,
    geminiPort: gemini.port,
    geminiUrl: gemini.url,
    statsUrl: `http://127.0.0.1:${statsPort}/stats`,
  };
  await writeJsonAtomic(daemonInfoFile(labDir), info);
  console.log(`lab daemon ready: ${JSON.stringify(info)}`);
}

const labDir = process.argv[2];
if (!labDir) {
  console.error('usage: node --import tsx src/lab/daemon.ts <labDir>');
  process.exit(2);
}
main(labDir).catch((err) => {
  console.error(`lab daemon failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
