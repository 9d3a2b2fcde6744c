import fs from 'node:fs/promises';
import path from 'node:path';
import { isAlive, spawnDetached, type SpawnedProcess } from './processes.ts';
import { nextBinary } from './app.ts';

/** One `next start` per serverless "instance", each with its own pool, as on Vercel. */
export interface InstanceEnv {
  DATABASE_URL: string;
  GEMINI_BASE_URL: string;
  GEMINI_API_KEY: string;
  /** The app's os.tmpdir(): a folder of the lab, removed by lab down. */
  TMPDIR?: string;
}

export function startInstance(appDir: string, port: number, env: InstanceEnv, logFile: string): SpawnedProcess {
  // `next` itself, not npx: one process fewer in the group and no npm banner in the log.
  return spawnDetached(process.execPath, [nextBinary(appDir), 'start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: appDir,
    env: { ...process.env, ...env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', PORT: String(port) },
    logFile,
  });
}

/** Waits (bounded) until every instance answers /api/health with 200; fails early when one exits. */
export async function waitHealthy(
  instances: Array<{ url: string; pid: number; logFile: string }>,
  timeoutMs = 90_000,
  isAborted: () => boolean = () => false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(instances);
  let lastProblem = '';
  while (pending.size > 0 && !isAborted()) {
    for (const inst of [...pending]) {
      if (!isAlive(inst.pid)) {
        const log = await fs.readFile(inst.logFile, 'utf8').catch(() => '');
        throw new Error(`instance ${inst.url} exited: ${log.trim().split('\n').slice(-8).join('\n')}`);
      }
      try {
        const res = await fetch(`${inst.url}/api/health`, { signal: AbortSignal.timeout(5000) });
        await res.arrayBuffer();
        if (res.status === 200) pending.delete(inst);
        else lastProblem = `${inst.url}/api/health answered ${res.status}`;
      } catch (err) {
        lastProblem = `${inst.url}: ${(err as Error).message}`;
      }
    }
    if (pending.size === 0) break;
    if (Date.now() > deadline) {
      throw new Error(`instances not healthy after ${Math.round(timeoutMs / 1000)} s (${lastProblem}); logs in ${path.dirname(instances[0]!.logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
