/**
 * When the target is a lab on this machine, scenarios can look at the app's processes (peak RSS
 * during uploads). Found from `--lab-dir`, or from the default lab when its URL is the target's.
 * Remote targets have no lab: the scenarios then report what is visible over HTTP only.
 */
import { readState, resolveLabDir } from '../lab/state.ts';
import { UsageError } from '../errors.ts';

export interface LabTarget {
  labDir: string;
  /** Process group ids of the app instances (`next start` and the next-server it spawns). */
  appGroups: number[];
  statsUrl?: string;
}

const origin = (url: string) => {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
};

export async function findLabTarget(targetUrl: string, labDir?: string): Promise<LabTarget | undefined> {
  const dir = resolveLabDir(labDir);
  const state = await readState(dir).catch(() => undefined);
  if (!state?.ready || !state.url) {
    if (labDir) throw new UsageError(`--lab-dir ${labDir}: no running lab there`, 'start one with genie-fix lab up, or leave out --lab-dir');
    return undefined;
  }
  const serves = origin(state.url) === origin(targetUrl) || state.instanceUrls.some((u) => origin(u) === origin(targetUrl));
  if (!serves) {
    if (labDir) throw new UsageError(`--lab-dir ${labDir}: that lab serves ${state.url}, not ${origin(targetUrl)}`);
    return undefined;
  }
  return {
    labDir: dir,
    appGroups: state.processes.filter((p) => p.kind === 'next').map((p) => p.pgid),
    statsUrl: state.statsUrl,
  };
}
