/**
 * report.html: one self-contained page (inline CSS, inline SVG drawn here, no script, no network):
 * an overview, a before/after view when a baseline is given, then per scenario its verdict,
 * summary, charts, metrics, thresholds and evidence.
 */
import { beforeAfterChart, errorsChart, esc, latencyChart, type BarPair } from './charts.ts';
import type { CompareRow, Regression } from './compare.ts';
import { flattenMetrics, formatMetric, keyFigure, keyMetrics, toleranceFor } from './metrics.ts';
import type { Report, ScenarioReport, Verdict } from './types.ts';

const verdictLabel: Record<Verdict, string> = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', skip: 'SKIPPED' };

const css = `
:root{--ink:#1f2330;--muted:#5d6475;--line:#e3e6ee;--bg:#f5f6fa;--card:#fff;--pass:#1a7f4b;--pass-bg:#e3f5ea;--fail:#c62828;--fail-bg:#fdecea;--warn:#a15c00;--warn-bg:#fff4e0;--skip:#5d6475;--skip-bg:#eef0f4;--accent:#3b5bdb}
*{box-sizing:border-box}body{margin:0;font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"DejaVu Sans",Helvetica,Arial,"Noto Sans CJK KR","Apple SD Gothic Neo","Malgun Gothic",sans-serif;color:var(--ink);background:var(--bg)}
header.top{padding:28px 40px 22px;color:#fff;background:linear-gradient(135deg,#27304a,#3b4a73)}header.top.fail{background:linear-gradient(135deg,#5b1a1a,#8e2b2b)}header.top.pass{background:linear-gradient(135deg,#164430,#21674a)}
header.top h1{margin:0 0 6px;font-size:24px;font-weight:650}header.top .meta{opacity:.85;font-size:13px}header.top code{color:#fff;background:rgba(255,255,255,.14);padding:1px 6px;border-radius:4px}
main{max-width:1120px;margin:0 auto;padding:24px 32px 60px}
h2{font-size:18px;margin:28px 0 12px}h3{font-size:14px;margin:18px 0 8px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:12px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;text-decoration:none;color:inherit;border-top:4px solid var(--skip)}
.card.pass{border-top-color:var(--pass)}.card.fail,.card.error{border-top-color:var(--fail)}.card .id{font-weight:600}.card .fig{color:var(--muted);font-size:12.5px;margin-top:6px}
.badge{display:inline-block;font-size:11px;font-weight:700;letter-spacing:.06em;padding:2px 8px;border-radius:99px}
.badge.pass{color:var(--pass);background:var(--pass-bg)}.badge.fail,.badge.error{color:var(--fail);background:var(--fail-bg)}.badge.skip{color:var(--skip);background:var(--skip-bg)}.badge.warn{color:var(--warn);background:var(--warn-bg)}
section.scenario{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:20px 24px;margin:20px 0}
section.scenario>header{display:flex;align-items:center;gap:12px;flex-wrap:wrap}section.scenario h2{margin:0;font-size:18px}.sid{color:var(--muted);font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}
.summary{font-size:15px;margin:10px 0 4px}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:16px;margin-top:12px}@media(max-width:900px){.charts{grid-template-columns:1fr}}
figure.chart{margin:0;border:1px solid var(--line);border-radius:8px;padding:10px 12px 4px}figcaption{font-weight:600;font-size:13px;display:flex;justify-content:space-between}
.legend{font-weight:400;color:var(--muted);font-size:12px}.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 10px;vertical-align:-1px}
.sw-p95{background:#3b5bdb}.sw-p50{background:#94a3d8}.sw-ok{background:#5cb88a}.sw-err{background:#e0524f}.sw-before{background:#a7adbb}.sw-better{background:#2f9e66}.sw-worse{background:#e0524f}
svg .grid{stroke:#eceef3}svg .tick{font-size:10px;fill:#8a90a0}svg .axis-label{font-size:10.5px;fill:#5d6475}
svg .line-p95{fill:none;stroke:#3b5bdb;stroke-width:2}svg .line-p50{fill:none;stroke:#94a3d8;stroke-width:1.5;stroke-dasharray:4 3}svg .area-p95{fill:#3b5bdb;opacity:.08}svg .point{fill:#3b5bdb}
svg .bar-ok{fill:#5cb88a}svg .bar-errors{fill:#e0524f}svg .bar-before{fill:#a7adbb}svg .bar-better{fill:#2f9e66}svg .bar-worse{fill:#e0524f}svg .bar-same{fill:#7c8aa5}
svg .pair-label{font-size:12.5px;fill:#1f2330}svg .bar-value{font-size:11.5px;fill:#5d6475}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}th{color:var(--muted);font-weight:600;font-size:12px}
td.num{font-variant-numeric:tabular-nums}.two{display:grid;grid-template-columns:1fr 1fr;gap:20px}@media(max-width:900px){.two{grid-template-columns:1fr}}
ul.evidence{padding-left:18px;margin:6px 0}ul.evidence li{margin:6px 0}.kind{font-weight:600}pre.sample{background:#f3f4f8;border-radius:6px;padding:6px 8px;margin:4px 0;font-size:12px;white-space:pre-wrap;word-break:break-word}
.regressions{background:var(--fail-bg);border:1px solid #f3c1bd;border-radius:8px;padding:10px 16px;margin:12px 0}.ok-note{background:var(--pass-bg);border-radius:8px;padding:10px 16px;margin:12px 0}
.ba-grid{display:grid;grid-template-columns:1fr 1fr;gap:12px}@media(max-width:900px){.ba-grid{grid-template-columns:1fr}}.ba-block{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:14px 16px}.ba-block h3{margin-top:0;text-transform:none;letter-spacing:0;color:var(--ink);font-size:15px}
.muted{color:var(--muted)}footer{color:var(--muted);font-size:12px;margin-top:30px}
`;

function metricsTable(s: ScenarioReport, base?: ScenarioReport): string {
  const cur = flattenMetrics(s.metrics);
  const before = base ? flattenMetrics(base.metrics) : undefined;
  const head = `<tr><th>metric</th>${before ? '<th>before</th>' : ''}<th>${before ? 'after' : 'value'}</th></tr>`;
  const rows = Object.entries(cur).map(([k, v]) =>
    `<tr><td>${esc(k)}</td>${before ? `<td class="num">${esc(formatMetric(k, before[k]))}</td>` : ''}<td class="num">${esc(formatMetric(k, v))}</td></tr>`).join('');
  return `<table class="metrics">${head}${rows}</table>`;
}

function thresholdsTable(s: ScenarioReport): string {
  const checks = Object.values(s.thresholds);
  if (checks.length === 0) return '<p class="muted">No thresholds for this scenario.</p>';
  const rows = checks.map((t) => {
    const state = t.passed ? 'pass' : t.level === 'error' ? 'fail' : 'warn';
    return `<tr><td><span class="badge ${state}">${state.toUpperCase()}</span></td><td>${esc(t.message)}</td><td>${t.level}</td></tr>`;
  }).join('');
  return `<table class="thresholds"><tr><th>result</th><th>check</th><th>level</th></tr>${rows}</table>`;
}

function evidenceList(s: ScenarioReport): string {
  if (s.evidence.length === 0) return '<p class="muted">No evidence recorded.</p>';
  const items = s.evidence.map((e) => {
    const samples = (e.samples ?? []).slice(0, 5).map((x) => {
      const text = typeof x === 'string' ? x : JSON.stringify(x, null, 1);
      return `<pre class="sample">${esc(text.length > 600 ? text.slice(0, 600) + '…' : text)}</pre>`;
    }).join('');
    return `<li><span class="kind">${esc(e.kind)}</span>: ${esc(e.message)}${samples}</li>`;
  }).join('');
  return `<ul class="evidence">${items}</ul>`;
}

function scenarioSection(s: ScenarioReport, base?: ScenarioReport, regressions: Regression[] = []): string {
  const timeline = s.timeline ?? [];
  const charts = [latencyChart(timeline), errorsChart(timeline)].filter(Boolean);
  const mine = regressions.filter((r) => r.scenario === s.id);
  return `<section class="scenario" id="${esc(s.id)}" data-verdict="${s.verdict}">
<header><span class="badge ${s.verdict}">${verdictLabel[s.verdict]}</span><h2>${esc(s.title)}</h2><span class="sid">${esc(s.id)} · ${(s.durationMs / 1000).toFixed(1)} s</span>${base ? `<span class="muted">before: <span class="badge ${base.verdict}">${verdictLabel[base.verdict]}</span></span>` : ''}</header>
<p class="summary">${esc(s.summary)}</p>
${mine.length > 0 ? `<div class="regressions"><b>Regressed against the baseline</b><ul>${mine.map((r) => `<li>${esc(r.reason)}</li>`).join('')}</ul></div>` : ''}
${charts.length > 0 ? `<div class="charts">${charts.join('')}</div>` : '<p class="muted">No timeline recorded for this scenario.</p>'}
<div class="two"><div><h3>Metrics</h3>${metricsTable(s, base)}</div><div><h3>Thresholds</h3>${thresholdsTable(s)}<h3>Evidence</h3>${evidenceList(s)}</div></div>
</section>`;
}

function beforeAfterSection(baseline: Report, report: Report, rows: CompareRow[], regressions: Regression[]): string {
  const baseById = new Map(baseline.scenarios.map((s) => [s.id, s]));
  const blocks = report.scenarios.flatMap((s) => {
    const base = baseById.get(s.id);
    if (!base) return [];
    const b = flattenMetrics(base.metrics);
    const c = flattenMetrics(s.metrics);
    const pairs: BarPair[] = keyMetrics(s).flatMap((k) => {
      const before = b[k];
      const after = c[k];
      const num = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : v);
      const nb = num(before);
      const na = num(after);
      if (typeof nb !== 'number' || typeof na !== 'number') return [];
      return [{ metric: k, label: k, before: nb, after: na, better: toleranceFor(k).better, beforeText: formatMetric(k, before), afterText: formatMetric(k, after) }];
    });
    const status = rows.find((r) => r.scenario === s.id && r.metric === 'verdict');
    return [`<div class="ba-block" data-scenario="${esc(s.id)}"><h3>${esc(s.title)} <span class="badge ${base.verdict}">${verdictLabel[base.verdict]}</span> → <span class="badge ${s.verdict}">${verdictLabel[s.verdict]}</span>${status?.status === 'regressed' ? ' <span class="badge fail">REGRESSED</span>' : ''}</h3>${beforeAfterChart(pairs)}</div>`];
  });
  const verdict = regressions.length === 0
    ? '<div class="ok-note">No regression against the baseline.</div>'
    : `<div class="regressions"><b>${regressions.length} regression(s) against the baseline</b><ul>${regressions.map((r) => `<li><b>${esc(r.scenario)}</b> ${esc(r.metric)}: ${esc(r.reason)}</li>`).join('')}</ul></div>`;
  return `<h2 id="before-after">Before / after</h2><p class="muted">Baseline ${esc(baseline.startedAt)} (${esc(baseline.target.url)}) against this run. <i class="sw sw-before"></i>before <i class="sw sw-better"></i>after, better <i class="sw sw-worse"></i>after, worse</p>${verdict}<div class="ba-grid">${blocks.join('')}</div>`;
}

export function renderHtml(report: Report, compared?: { baseline: Report; rows: CompareRow[]; regressions: Regression[] }): string {
  const bad = report.scenarios.filter((s) => s.verdict === 'fail' || s.verdict === 'error').length;
  const overall = bad > 0 ? 'fail' : 'pass';
  const title = bad > 0 ? `${bad} of ${report.scenarios.length} scenarios fail` : `All ${report.scenarios.filter((s) => s.verdict === 'pass').length} scenarios pass`;
  const baseById = new Map(compared?.baseline.scenarios.map((s) => [s.id, s]));
  const cards = report.scenarios.map((s) =>
    `<a class="card ${s.verdict}" href="#${esc(s.id)}"><span class="badge ${s.verdict}">${verdictLabel[s.verdict]}</span><div class="id">${esc(s.title)}</div><div class="fig">${esc(keyFigure(s))}</div></a>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>genie-fix: ${esc(title)}</title><style>${css}</style></head>
<body>
<header class="top ${overall}"><h1>genie-fix · ${esc(title)}</h1>
<div class="meta">Target <code>${esc(report.target.url)}</code> · ${report.options.users} users · started ${esc(report.startedAt)} · ${(report.durationMs / 1000).toFixed(1)} s · genie-fix ${esc(report.tool.version)}${report.partial ? ' · <b>partial: the run was interrupted</b>' : ''}</div></header>
<main>
<div class="cards">${cards}</div>
${compared ? beforeAfterSection(compared.baseline, report, compared.rows, compared.regressions) : ''}
${report.scenarios.map((s) => scenarioSection(s, baseById.get(s.id), compared?.regressions)).join('\n')}
<footer>report.json holds every number on this page (schema: schema/report.schema.json, version ${report.schemaVersion}).</footer>
</main></body></html>
`;
}
