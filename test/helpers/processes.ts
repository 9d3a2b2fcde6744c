import fs from 'node:fs';

/**
 * Pids whose command line or working directory mentions one of `needles` (a lab dir, an app
 * copy): what a test started and must have stopped. Reads /proc, so it sees grandchildren too
 * (next-server, postgres backends) that no pid file records.
 */
export function processesMentioning(needles: string[]): Array<{ pid: number; cmd: string }> {
  const found: Array<{ pid: number; cmd: string }> = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmd = '';
    let cwd = '';
    try {
      cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      cwd = fs.readlinkSync(`/proc/${entry}/cwd`);
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    if (needles.some((n) => cmd.includes(n) || cwd.startsWith(n))) found.push({ pid: Number(entry), cmd });
  }
  return found;
}
