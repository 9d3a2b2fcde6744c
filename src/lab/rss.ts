/**
 * Resident memory of the lab's app instances, read from /proc (Linux). `next start` runs the
 * server in a child (next-server), so each instance is summed over its whole process group.
 */
import { readFile } from 'node:fs/promises';
import { groupMembers } from './processes.ts';

/** VmRSS of one process, or 0 when it is gone. Units: bytes. */
export async function processRssBytes(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Summed RSS of the given processes of each group. Units: bytes, one entry per group. */
async function rssOf(members: readonly number[][]): Promise<number[]> {
  return Promise.all(members.map(async (pids) => (await Promise.all(pids.map(processRssBytes))).reduce((a, b) => a + b, 0)));
}

const membersOf = (pgids: readonly number[]) => Promise.all(pgids.map((g) => groupMembers(g)));

export interface RssSampler {
  /** Stops sampling; peak is the highest total seen (all groups together), per group the highest each reached. */
  stop(): Promise<{ baselineBytes: number; peakBytes: number; peakPerGroupBytes: number[]; baselinePerGroupBytes: number[]; samples: number }>;
}

/** Samples the groups' RSS every `intervalMs` until stopped (bounded to 10 minutes). */
export async function sampleGroupRss(pgids: readonly number[], intervalMs = 100): Promise<RssSampler> {
  // Walking /proc for group members is the costly part: done once a second, not every sample.
  let members = await membersOf(pgids);
  const baselinePerGroup = await rssOf(members);
  const peakPerGroup = [...baselinePerGroup];
  let peak = baselinePerGroup.reduce((a, b) => a + b, 0);
  let samples = 1;
  let stopped = false;
  const until = Date.now() + 10 * 60_000;
  const loop = (async () => {
    while (!stopped && Date.now() < until) {
      await new Promise((r) => setTimeout(r, intervalMs));
      if (samples % 10 === 0) members = await membersOf(pgids);
      const now = await rssOf(members);
      samples++;
      now.forEach((b, i) => (peakPerGroup[i] = Math.max(peakPerGroup[i] ?? 0, b)));
      peak = Math.max(peak, now.reduce((a, b) => a + b, 0));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return {
        baselineBytes: baselinePerGroup.reduce((a, b) => a + b, 0),
        peakBytes: peak,
        peakPerGroupBytes: peakPerGroup,
        baselinePerGroupBytes: baselinePerGroup,
        samples,
      };
    },
  };
}
