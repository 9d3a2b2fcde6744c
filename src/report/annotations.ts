/**
 * GitHub Actions workflow commands (`::error title=…::message`), one per failing scenario, so a
 * failure shows on the run's summary page and the PR. Printed by the caller on stdout when
 * GITHUB_ACTIONS is "true" (diagnose and compare do this); never written to files.
 */
import { redact } from '../redact.ts';
import type { Regression } from './compare.ts';
import { keyFigure } from './metrics.ts';
import type { Report } from './types.ts';

// https://docs.github.com/actions/reference/workflow-commands-for-github-actions: data escapes
// % CR LF; property values also escape : and ,
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

function command(kind: 'error' | 'warning' | 'notice', title: string, message: string): string {
  return `::${kind} title=${escapeProperty(redact(title))}::${escapeData(redact(message))}`;
}

export function githubAnnotations(report: Report, regressions: Regression[] = []): string[] {
  const lines: string[] = [];
  for (const s of report.scenarios) {
    if (s.verdict === 'fail') {
      const failed = Object.values(s.thresholds).filter((t) => t.level === 'error' && !t.passed).map((t) => t.message);
      lines.push(command('error', `genie-fix ${s.id} failed`, [`${s.summary}`, keyFigure(s), ...failed].join('\n')));
    } else if (s.verdict === 'error') {
      lines.push(command('error', `genie-fix ${s.id} could not run`, s.summary));
    } else {
      const warned = Object.values(s.thresholds).filter((t) => t.level === 'warn' && !t.passed);
      if (warned.length > 0) lines.push(command('warning', `genie-fix ${s.id}`, warned.map((t) => t.message).join('\n')));
    }
  }
  if (report.partial) lines.push(command('warning', 'genie-fix report is partial', 'The run was interrupted; not every scenario finished.'));
  return [...lines, ...regressionAnnotations(regressions)];
}

export function regressionAnnotations(regressions: Regression[]): string[] {
  return regressions.map((r) => command('error', `genie-fix regression: ${r.scenario} ${r.metric}`, r.reason));
}
