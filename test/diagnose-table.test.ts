import { describe, expect, it } from 'vitest';
import { verdictTable } from '../src/diagnose/table.ts';
import type { Report } from '../src/report/types.ts';

const report = {
  durationMs: 1500,
  scenarios: [{ id: 'lost-update', verdict: 'fail', summary: '3 of 10 lost' }],
} as unknown as Report;

describe('verdictTable', () => {
  it('lists each scenario with its verdict and the totals', () => {
    const plain = verdictTable(report).replace(/\u001b\[[0-9;]*m/g, '');
    expect(plain).toBe('  FAIL   lost-update  3 of 10 lost\n  1 fail in 1.5 s');
  });

  it('colours for the stream it goes to (stderr with --json), not for stdout', async () => {
    const { chalkStderr, default: chalk } = await import('chalk');
    const stderrLevel = chalkStderr.level;
    const stdoutLevel = chalk.level;
    try {
      chalk.level = 3;
      chalkStderr.level = 0;
      expect(verdictTable(report, 'stderr')).not.toMatch(/\u001b\[/);
      expect(verdictTable(report, 'stdout')).toMatch(/\u001b\[/);
    } finally {
      chalk.level = stdoutLevel;
      chalkStderr.level = stderrLevel;
    }
  });
});
