/** junit.xml: one testsuite, one testcase per scenario; fail → <failure>, error → <error>, skip → <skipped>. */
import { flattenMetrics, formatMetric } from './metrics.ts';
import type { Report, ScenarioReport } from './types.ts';

// XML 1.0 forbids most control characters even when escaped: drop them.
// eslint-disable-next-line no-control-regex
const invalidXml = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function xmlEscape(text: string): string {
  return text.replace(invalidXml, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function evidenceText(s: ScenarioReport): string {
  const lines = [s.summary, ''];
  const failed = Object.values(s.thresholds).filter((t) => !t.passed);
  if (failed.length > 0) lines.push('Failed checks:', ...failed.map((t) => `  [${t.level}] ${t.message}`), '');
  lines.push('Metrics:', ...Object.entries(flattenMetrics(s.metrics)).map(([k, v]) => `  ${k}: ${formatMetric(k, v)}`), '');
  if (s.evidence.length > 0) {
    lines.push('Evidence:');
    for (const e of s.evidence) {
      lines.push(`  ${e.kind}: ${e.message}`);
      for (const x of (e.samples ?? []).slice(0, 3)) {
        const text = typeof x === 'string' ? x : JSON.stringify(x);
        lines.push(`    ${text.length > 300 ? text.slice(0, 300) + '…' : text}`);
      }
    }
  }
  return lines.join('\n');
}

function testcase(s: ScenarioReport): string {
  const open = `    <testcase classname="genie-fix.${xmlEscape(s.id)}" name="${xmlEscape(`${s.id}: ${s.title}`)}" time="${seconds(s.durationMs)}"`;
  switch (s.verdict) {
    case 'pass':
      return `${open}>\n      <system-out>${xmlEscape(evidenceText(s))}</system-out>\n    </testcase>`;
    case 'skip':
      return `${open}>\n      <skipped message="${xmlEscape(s.summary)}"/>\n    </testcase>`;
    case 'fail':
    case 'error': {
      const tag = s.verdict === 'fail' ? 'failure' : 'error';
      const type = s.verdict === 'fail' ? 'threshold' : 'scenario-error';
      return `${open}>\n      <${tag} message="${xmlEscape(s.summary)}" type="${type}">${xmlEscape(evidenceText(s))}</${tag}>\n    </testcase>`;
    }
  }
}

export function renderJunit(report: Report): string {
  const count = (v: string) => report.scenarios.filter((s) => s.verdict === v).length;
  const attrs = `tests="${report.scenarios.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skip')}" time="${seconds(report.durationMs)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="genie-fix" ${attrs}>`,
    `  <testsuite name="${xmlEscape(`genie-fix diagnose ${report.target.url}`)}" ${attrs} timestamp="${xmlEscape(report.startedAt)}">`,
    '    <properties>',
    `      <property name="target" value="${xmlEscape(report.target.url)}"/>`,
    `      <property name="users" value="${report.options.users}"/>`,
    `      <property name="genie-fix.version" value="${xmlEscape(report.tool.version)}"/>`,
    ...(report.partial ? ['      <property name="partial" value="true"/>'] : []),
    '    </properties>',
    ...report.scenarios.map(testcase),
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
