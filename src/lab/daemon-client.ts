import fs from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MockGeminiFaults, MockGeminiOptions } from './mock-gemini-options.ts';
import { spawnDetached, isAlive, type SpawnedProcess } from './processes.ts';
import { repoRoot, writeJsonAtomic } from './state.ts';

/** What `lab up` hands the background daemon (src/lab/daemon.ts), and what it answers. */
export interface DaemonConfig {
  pgPort: number;
  /** Units: milliseconds, each direction. */
  dbLatencyMs: number;
  instancePorts: number[];
  /** Quota plus the optional Google-like faults and event separator, passed to startMockGemini as they are. */
  gemini: { maxConcurrent: number; requestsPerWindow: number; windowMs: number; retryDelaySec: number } & LabGeminiExtras;
}

/** What the lab's config may set on its mock Gemini beyond the quota (src/lab/mock-gemini-faults.ts). */
export type LabGeminiExtras = MockGeminiFaults & Pick<MockGeminiOptions, 'separator'>;

export interface DaemonInfo {
  pid: number;
  dbProxyPort: number;
  proxyPort: number;
  proxyUrl: string;
  geminiPort: number;
  geminiUrl: string;
  /** GET → { gemini, dbProxy, proxy } counters of the daemon's parts. */
  statsUrl: string;
}

export const daemonConfigFile = (labDir: string) => path.join(labDir, 'daemon-config.json');
export const daemonInfoFile = (labDir: string) => path.join(labDir, 'daemon.json');

/**
 * The daemon module beside this one: compiled (dist/, the shipped CLI) it runs as is; as TypeScript
 * (tests import src/ directly) it runs through tsx's loader, by absolute path so the child needs no
 * particular working directory.
 */
function daemonEntry(): string[] {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return [path.join(path.dirname(here), 'daemon.js')];
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsxLoader, path.join(path.dirname(here), 'daemon.ts')];
}

/** Starts the daemon in its own process group and waits (bounded) for it to publish its ports. */
export async function startDaemon(
  labDir: string,
  config: DaemonConfig,
  onSpawn: (p: SpawnedProcess) => Promise<void>,
  timeoutMs = 20_000,
): Promise<{ process: SpawnedProcess; info: DaemonInfo }> {
  await fs.rm(daemonInfoFile(labDir), { force: true });
  await writeJsonAtomic(daemonConfigFile(labDir), config);
  const logFile = path.join(labDir, 'daemon.log');
  const child = spawnDetached(
    process.execPath,
    [...daemonEntry(), labDir],
    { cwd: repoRoot, env: { ...process.env, NODE_ENV: 'production' }, logFile },
  );
  await onSpawn(child);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const info = JSON.parse(await fs.readFile(daemonInfoFile(labDir), 'utf8')) as DaemonInfo;
      return { process: child, info };
    } catch {
      // Not written yet.
    }
    if (!isAlive(child.pid)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const log = await fs.readFile(logFile, 'utf8').catch(() => '');
  throw new Error(`the lab daemon did not start: ${log.trim().split('\n').slice(-5).join(' | ') || 'no output'}`);
}
