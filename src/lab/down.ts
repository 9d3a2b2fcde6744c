/** `lab down`: stops what a lab up recorded, in order, also after a crash, and removes its throwaway data. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { groupMembers, stopGroup } from './processes.ts';
import { readState, removeState, resolveLabDir, type LabProcess } from './state.ts';

async function anyAlive(procs: LabProcess[]): Promise<boolean> {
  for (const p of procs) if ((await groupMembers(p.pgid)).length > 0) return true;
  return false;
}

/** Stops every recorded process group (instances first, PostgreSQL last) and removes the state. */
export async function labDown(opts: { labDir?: string } = {}): Promise<{ stopped: string[] }> {
  const labDir = resolveLabDir(opts.labDir);
  const state = await readState(labDir);
  if (!state) return { stopped: [] };
  const order: Record<LabProcess['kind'], number> = { task: 0, next: 0, daemon: 1, postgres: 2 };
  const procs = [...state.processes].sort((a, b) => order[a.kind] - order[b.kind]);
  const stopped: string[] = [];
  // Instances stop together (each waits its own grace period); the database goes after its clients.
  const stopOne = async (p: LabProcess) => {
    const signalled = await stopGroup(p.pgid, {
      expect: p.expect,
      // SIGINT is PostgreSQL's fast shutdown: it ends backends and checkpoints, unlike SIGTERM's wait for clients.
      leaderSignal: p.kind === 'postgres' ? 'SIGINT' : undefined,
      graceMs: p.kind === 'postgres' ? 10_000 : 5_000,
    });
    if (signalled) stopped.push(p.name);
  };
  const early = (p: LabProcess) => p.kind === 'next' || p.kind === 'task';
  await Promise.all(procs.filter(early).map(stopOne));
  for (const p of procs.filter((p) => !early(p))) await stopOne(p);
  // The data is throwaway (each lab up runs initdb afresh); logs stay for a post-mortem.
  if (!(await anyAlive(procs))) {
    await fs.rm(path.join(labDir, 'pg'), { recursive: true, force: true });
    await fs.rm(path.join(labDir, 'tmp'), { recursive: true, force: true });
  }
  await removeState(labDir);
  return { stopped };
}
