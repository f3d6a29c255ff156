/**
 * `kindling bench --report FILE.html`: one self-contained page (inline CSS and SVG, no script, no
 * external resource) with the run's headline numbers, throughput over time, the distribution of
 * TTFT, TPOT, ITL and end-to-end latency (histogram with the CDF over it and p50/p90/p99 marked),
 * every request's latency over the run, the summary table and the failures.
 */
import type { BenchSummary, Distributions, MetricName, TimeSeries } from './bench-summary.js';
import type { RequestResult } from './loadgen.js';
import { areaPath, axes, downsample, escapeXml, fmt, histogram, linear, linePath, niceTicks, r, type Box } from './svg.js';

export interface ReportInput {
  summary: BenchSummary;
  results: RequestResult[];
  dists: Distributions;
  series: TimeSeries;
  /** e.g. "kindling 0.1.0" */
  generator?: string;
}

const METRICS: { key: MetricName; title: string; long: string; color: string }[] = [
  { key: 'ttft', title: 'TTFT', long: 'Time to first token', color: 'c1' },
  { key: 'tpot', title: 'TPOT', long: 'Time per output token (after the first)', color: 'c2' },
  { key: 'itl', title: 'ITL', long: 'Inter-token latency', color: 'c3' },
  { key: 'e2el', title: 'E2E', long: 'End-to-end latency', color: 'c4' },
];

export function renderReport(input: ReportInput): string {
  const s = input.summary;
  const title = `kindling bench — ${s.model_id}`;
  const mode =
    s.request_rate === 'inf'
      ? `closed loop · ${s.max_concurrency ?? '∞'} concurrent`
      : `open loop · ${fmt(s.request_rate)} req/s · burstiness ${fmt(s.burstiness)}${s.max_concurrency !== null ? ` · at most ${s.max_concurrency} concurrent` : ''}`;
  const lengths = s.dataset !== null ? `dataset ${s.dataset} · output ≤ ${s.output_len}` : `input ${s.input_len ?? '?'} words · output ${s.output_len} tokens`;
  const v = s as unknown as Record<string, number>;
  // [label, value, unit, sub-line, bad]
  const cards: [string, string, string, string?, boolean?][] = [
    ['Requests', fmt(s.completed, 0), 'ok', s.failed > 0 ? `${fmt(s.failed, 0)} failed` : 'none failed', s.failed > 0],
    ['Duration', fmt(s.duration), 's', `${s.num_prompts} requests`],
    ['Output', fmt(s.output_throughput), 'tok/s', `${fmt(s.request_throughput)} req/s · peak ${fmt(s.max_output_tokens_per_s)}`],
    ['TTFT median', fmt(s.median_ttft_ms), 'ms', `p99 ${fmt(s.p99_ttft_ms)} ms`],
    ['TPOT median', fmt(s.median_tpot_ms), 'ms', `p99 ${fmt(s.p99_tpot_ms)} ms`],
    ['E2E median', fmt(s.median_e2el_ms), 'ms', `p99 ${fmt(s.p99_e2el_ms)} ms`],
  ];
  if (s.request_goodput !== null) {
    const slo = Object.entries(s.slo ?? {}).map(([k, x]) => `${k.replace('_ms', '')} ≤ ${fmt(x)} ms`).join(', ');
    cards.push(['Goodput', fmt(s.request_goodput), 'req/s', slo]);
  }

  const metricFigures = METRICS.map((m) => {
    const values = input.dists[m.key].sorted();
    const fig = distributionChart(values, m.key, m.color, `${m.title} (ms)`);
    const stats =
      values.length === 0
        ? '<span>no samples</span>'
        : `<span>mean <b>${fmt(v[`mean_${m.key}_ms`]!)}</b></span><span>p50 <b>${fmt(v[`median_${m.key}_ms`]!)}</b></span><span>p90 <b>${fmt(v[`p90_${m.key}_ms`]!)}</b></span><span>p99 <b>${fmt(v[`p99_${m.key}_ms`]!)}</b></span><span>n ${fmt(values.length, 0)}</span>`;
    return `<figure class="metric">
<figcaption><span class="dot ${m.color}"></span><b>${m.title}</b> <span class="muted">${escapeXml(m.long)}, ms</span></figcaption>
${fig}
<div class="stats">${stats}</div>
</figure>`;
  }).join('\n');

  const rows = METRICS.map(
    (m) =>
      `<tr><th>${m.title} <span class="muted">${escapeXml(m.long)}</span></th>${['mean', 'median', 'std', 'p90', 'p99']
        .map((k) => `<td>${fmt(v[`${k}_${m.key}_ms`]!, 2)}</td>`)
        .join('')}</tr>`,
  ).join('');

  const errs = Object.entries(s.errors).sort((a, b) => b[1] - a[1]);
  const failures =
    errs.length === 0
      ? ''
      : `<section class="panel"><h2>Failures</h2><table class="fail"><thead><tr><th>count</th><th>reason</th></tr></thead><tbody>${errs
          .map(([msg, n]) => `<tr><td>${n}</td><td>${escapeXml(msg)}</td></tr>`)
          .join('')}</tbody></table></section>`;

  const details: [string, string][] = [
    ['Endpoint', s.endpoint],
    ['Started', s.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')],
    ['Input tokens', fmt(s.total_input_tokens, 0)],
    ['Output tokens', fmt(s.total_output_tokens, 0)],
    ['Total tokens/s', fmt(s.total_token_throughput)],
    ['Peak concurrent', String(s.max_concurrent_requests)],
    ['Warm-up requests', String(s.warmup)],
    ['Seed', String(s.seed)],
    ['Client event-loop delay', `p99 ${fmt(s.event_loop_delay_p99_ms, 2)} ms · max ${fmt(s.event_loop_delay_max_ms, 2)} ms`],
  ];
  if (s.requests_without_usage > 0) details.push(['Without usage', `${s.requests_without_usage} (tokens counted as chunks)`]);
  if (s.cancelled > 0 || s.interrupted) details.push(['Interrupted', `yes — ${s.cancelled} requests cancelled in flight`]);

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeXml(input.generator ?? 'kindling bench')}">
<title>${escapeXml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<div class="brand">kindling bench</div>
<h1>${escapeXml(s.model_id)}</h1>
<p class="meta">${escapeXml(mode)} · ${escapeXml(lengths)} · ${escapeXml(s.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</p>
</header>
<section class="cards">
${cards
  .map(
    ([label, value, unit, sub, bad]) =>
      `<div class="card${bad ? ' bad' : ''}"><div class="label">${escapeXml(label)}</div><div class="value">${escapeXml(value)}<span class="unit">${escapeXml(unit)}</span></div>${sub ? `<div class="sub">${escapeXml(sub)}</div>` : ''}</div>`,
  )
  .join('\n')}
</section>
<section class="panel">
<h2>Throughput over time</h2>
<p class="legend"><span class="dot c1"></span>output tokens/s <span class="dot c5"></span>requests in flight${s.failed > 0 ? ' <span class="dot bad"></span>failures' : ''} <span class="muted">· ${fmt(input.series.bucketS * 1000, 0)} ms buckets</span></p>
${throughputChart(input.series)}
</section>
<section class="panel">
<h2>Latency distributions</h2>
<p class="legend muted">bars: share of samples per bin · line: cumulative share (right axis) · dashed: p50, p90, p99</p>
<div class="grid2">
${metricFigures}
</div>
</section>
<section class="panel">
<h2>Every request over the run</h2>
<p class="legend"><span class="dot c4"></span>end-to-end latency <span class="dot c1"></span>time to first token${s.failed > 0 ? ' <span class="dot bad"></span>failed' : ''} <span class="muted">· by the time each request was sent</span></p>
${scatterChart(input.results)}
</section>
<section class="panel">
<h2>Summary (ms)</h2>
<table class="summary"><thead><tr><th></th><th>mean</th><th>median</th><th>std</th><th>p90</th><th>p99</th></tr></thead><tbody>${rows}</tbody></table>
<dl class="details">${details.map(([k, x]) => `<div><dt>${escapeXml(k)}</dt><dd>${escapeXml(x)}</dd></div>`).join('')}</dl>
</section>
${failures}
<footer>Generated by ${escapeXml(input.generator ?? 'kindling bench')} · key names as in vLLM's benchmark_serving result JSON</footer>
</main>
</body>
</html>
`;
}

function svgOpen(id: string, box: Box, label: string): string {
  return `<svg id="${id}" class="chart" viewBox="0 0 ${box.width} ${box.height}" role="img" aria-label="${escapeXml(label)}" preserveAspectRatio="xMidYMid meet">`;
}

/** Histogram (share of samples per bin) with the CDF on a right axis and p50/p90/p99 marked. */
function distributionChart(sorted: Float64Array, key: string, color: string, xLabel: string): string {
  const box: Box = { width: 560, height: 260, left: 48, right: 44, top: 22, bottom: 40 };
  const open = svgOpen(`chart-${key}`, box, `${key} distribution`);
  if (sorted.length === 0) {
    return `${open}<text class="empty" x="${box.width / 2}" y="${box.height / 2}" text-anchor="middle">no samples</text></svg>`;
  }
  const n = sorted.length;
  const bins = histogram(sorted);
  const last = bins.edges[bins.edges.length - 1]! + bins.width;
  const xTicks = niceTicks(bins.edges[0]!, last, 6);
  const xMin = Math.min(bins.edges[0]!, xTicks[0]!);
  const xMax = Math.max(last, xTicks[xTicks.length - 1]!);
  const x = linear(xMin, xMax, box.left, box.width - box.right);
  const maxShare = Math.max(...bins.counts) / n;
  const yTicks = niceTicks(0, maxShare * 100, 4);
  const y = linear(0, yTicks[yTicks.length - 1]!, box.height - box.bottom, box.top);
  const yc = linear(0, 100, box.height - box.bottom, box.top);
  const parts: string[] = [open];
  parts.push(axes({ xTicks, yTicks, x, y, box, xLabel, yFormat: (t) => `${fmt(t)}%` }));
  bins.counts.forEach((c, i) => {
    if (c === 0) return;
    const x0 = x(bins.edges[i]!);
    const x1 = x(bins.edges[i]! + bins.width);
    const top = y((c / n) * 100);
    const overflow = i === bins.counts.length - 1 && bins.overflow > 0;
    const range = overflow ? `≥ ${fmt(bins.edges[i]!)} ms (${bins.overflow} beyond the chart, max ${fmt(sorted[n - 1]!)} ms)` : `${fmt(bins.edges[i]!)}–${fmt(bins.edges[i]! + bins.width)} ms`;
    parts.push(
      `<rect class="bar ${color}${overflow ? ' overflow' : ''}" x="${r(x0 + 0.5)}" y="${r(top)}" width="${r(Math.max(1, x1 - x0 - 1))}" height="${r(box.height - box.bottom - top)}"><title>${escapeXml(range)}: ${c} (${fmt((c / n) * 100, 1)}%)</title></rect>`,
    );
  });
  // CDF over the same x range.
  const pts = downsample(sorted, 300).map((v, i, arr) => [x(Math.min(v, xMax)), yc(((i + 1) / arr.length) * 100)] as [number, number]);
  parts.push(`<path class="cdf" d="${linePath([[x(sorted[0]!), yc(0)], ...pts])}"/>`);
  for (const t of [0, 50, 100]) {
    parts.push(`<text class="tick" x="${box.width - box.right + 6}" y="${r(yc(t))}" dominant-baseline="middle">${t}%</text>`);
  }
  // Percentile markers.
  const pct = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.round((p / 100) * (n - 1))))]!;
  const marks: [string, number][] = [
    ['p50', pct(50)],
    ['p90', pct(90)],
    ['p99', pct(99)],
  ];
  let lastLabelX = -Infinity;
  for (const [label, value] of marks) {
    const xv = x(Math.min(value, xMax));
    parts.push(`<line class="pmark" x1="${r(xv)}" x2="${r(xv)}" y1="${box.top}" y2="${box.height - box.bottom}"><title>${label}: ${fmt(value)} ms</title></line>`);
    if (xv - lastLabelX > 30) {
      parts.push(`<text class="plabel" x="${r(xv)}" y="${box.top - 8}" text-anchor="middle">${label}</text>`);
      lastLabelX = xv;
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

function throughputChart(series: TimeSeries): string {
  const box: Box = { width: 1120, height: 300, left: 64, right: 56, top: 16, bottom: 42 };
  const open = svgOpen('chart-throughput', box, 'throughput over time');
  if (series.t.length === 0) return `${open}</svg>`;
  const end = series.t[series.t.length - 1]! + series.bucketS;
  const xTicks = niceTicks(0, end, 10);
  const x = linear(0, xTicks[xTicks.length - 1]!, box.left, box.width - box.right);
  const yTicks = niceTicks(0, Math.max(1, ...series.outputTokensPerS), 5);
  const y = linear(0, yTicks[yTicks.length - 1]!, box.height - box.bottom, box.top);
  const fTicks = niceTicks(0, Math.max(1, ...series.inFlight), 5);
  const yf = linear(0, fTicks[fTicks.length - 1]!, box.height - box.bottom, box.top);
  const mid = (i: number) => series.t[i]! + series.bucketS / 2;
  const tok: [number, number][] = series.outputTokensPerS.map((v, i) => [x(mid(i)), y(v)]);
  const fl: [number, number][] = series.inFlight.map((v, i) => [x(mid(i)), yf(v)]);
  const parts: string[] = [open];
  parts.push(axes({ xTicks, yTicks, x, y, box, xLabel: 'seconds since start', yLabel: 'output tokens/s', xFormat: (t) => fmt(t) }));
  for (const t of fTicks) {
    parts.push(`<text class="tick c5t" x="${box.width - box.right + 6}" y="${r(yf(t))}" dominant-baseline="middle">${fmt(t)}</text>`);
  }
  parts.push(
    `<text class="axis-title c5t" transform="translate(${box.width - 10} ${(box.top + box.height - box.bottom) / 2}) rotate(90)" text-anchor="middle">in flight</text>`,
  );
  parts.push(`<path class="area c1" d="${areaPath(tok, box.height - box.bottom)}"/>`);
  parts.push(`<path class="line c1" d="${linePath(tok)}"/>`);
  parts.push(`<path class="line c5 thin" d="${linePath(fl)}"/>`);
  series.outputTokensPerS.forEach((v, i) => {
    const x0 = x(series.t[i]!);
    const x1 = x(series.t[i]! + series.bucketS);
    parts.push(
      `<rect class="hover" x="${r(x0)}" y="${box.top}" width="${r(Math.max(1, x1 - x0))}" height="${box.height - box.top - box.bottom}"><title>${fmt(series.t[i]!)}–${fmt(series.t[i]! + series.bucketS)} s: ${fmt(v)} tok/s, ${fmt(series.requestsPerS[i]!)} req/s done, ${fmt(series.inFlight[i]!, 1)} in flight${series.failures[i] ? `, ${series.failures[i]} failed` : ''}</title></rect>`,
    );
    if (series.failures[i]) {
      parts.push(`<rect class="failmark" x="${r(x0)}" y="${box.height - box.bottom - 6}" width="${r(Math.max(2, x1 - x0))}" height="6"/>`);
    }
  });
  parts.push('</svg>');
  return parts.join('');
}

function scatterChart(results: RequestResult[]): string {
  const box: Box = { width: 1120, height: 300, left: 64, right: 24, top: 16, bottom: 42 };
  const open = svgOpen('chart-requests', box, 'latency of every request');
  if (results.length === 0) return `${open}</svg>`;
  const picked = downsample(results, 4000);
  const maxT = Math.max(...picked.map((q) => q.startMs / 1000), 0.001);
  const maxY = Math.max(...picked.map((q) => q.e2eMs), 1);
  const xTicks = niceTicks(0, maxT, 10);
  const yTicks = niceTicks(0, maxY, 5);
  const x = linear(0, xTicks[xTicks.length - 1]!, box.left, box.width - box.right);
  const y = linear(0, yTicks[yTicks.length - 1]!, box.height - box.bottom, box.top);
  const parts: string[] = [open];
  parts.push(axes({ xTicks, yTicks, x, y, box, xLabel: 'sent at (seconds since start)', yLabel: 'latency (ms)' }));
  const radius = picked.length > 1000 ? 1.6 : 2.6;
  const e2e: string[] = [];
  const ttft: string[] = [];
  const bad: string[] = [];
  for (const q of picked) {
    const cx = r(x(q.startMs / 1000));
    if (!q.ok) {
      if (q.cancelled) continue;
      const cy = y(q.e2eMs);
      bad.push(
        `<path class="failx" d="M${r(+cx - 3)} ${r(cy - 3)}l6 6m0 -6l-6 6"><title>#${q.index} failed after ${fmt(q.e2eMs)} ms: ${escapeXml(q.error ?? '')}</title></path>`,
      );
      continue;
    }
    e2e.push(`<circle cx="${cx}" cy="${r(y(q.e2eMs))}" r="${radius}"><title>#${q.index}: e2e ${fmt(q.e2eMs)} ms, TTFT ${fmt(q.ttftMs ?? 0)} ms, ${q.outputTokens} tokens</title></circle>`);
    if (q.ttftMs !== undefined) ttft.push(`<circle cx="${cx}" cy="${r(y(q.ttftMs))}" r="${radius}"/>`);
  }
  parts.push(`<g class="pts c4">${e2e.join('')}</g><g class="pts c1">${ttft.join('')}</g><g>${bad.join('')}</g>`);
  parts.push('</svg>');
  return parts.join('');
}

const CSS = `
:root{--bg:#f5f6fa;--panel:#fff;--text:#1b1f2a;--muted:#6b7280;--grid:#e7e9f0;--axis:#9aa1b2;--border:#e5e7ef;
--c1:#4f46e5;--c2:#0891b2;--c3:#d97706;--c4:#db2777;--c5:#059669;--bad:#dc2626;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0f1117;--panel:#171a23;--text:#e6e8ef;--muted:#9096a8;--grid:#262a36;--axis:#4b5162;--border:#262a36;
--c1:#818cf8;--c2:#22d3ee;--c3:#fbbf24;--c4:#f472b6;--c5:#34d399;--bad:#f87171}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Helvetica,Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:28px 24px 40px}
header{margin-bottom:18px}
.brand{font-size:12px;font-weight:600;letter-spacing:.08em;text-transform:uppercase;color:var(--c1)}
h1{font-size:26px;margin:2px 0 4px;font-weight:650;word-break:break-all}
h2{font-size:16px;margin:0 0 4px;font-weight:600}
.meta,.muted{color:var(--muted)}
.meta{margin:0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(138px,1fr));gap:12px;margin-bottom:16px}
.card{background:var(--panel);border:1px solid var(--border);border-radius:12px;padding:12px 14px;box-shadow:0 1px 2px rgba(16,24,40,.04)}
.card .label{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}
.card .value{font-size:24px;font-weight:650;font-variant-numeric:tabular-nums;margin-top:2px;white-space:nowrap}
.card .unit{font-size:13px;font-weight:500;color:var(--muted);margin-left:4px}
.card .sub{font-size:12px;color:var(--muted)}
.card.bad .sub{color:var(--bad);font-weight:600}
.panel{background:var(--panel);border:1px solid var(--border);border-radius:14px;padding:16px 18px;margin-bottom:16px;box-shadow:0 1px 2px rgba(16,24,40,.04)}
.legend{margin:0 0 8px;font-size:13px}
.dot{display:inline-block;width:10px;height:10px;border-radius:3px;margin:0 5px 0 10px;vertical-align:-1px}
.legend .dot:first-child,figcaption .dot{margin-left:0}
.dot.c1{background:var(--c1)}.dot.c2{background:var(--c2)}.dot.c3{background:var(--c3)}.dot.c4{background:var(--c4)}.dot.c5{background:var(--c5)}.dot.bad{background:var(--bad)}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:14px}
figure{margin:0;border:1px solid var(--border);border-radius:12px;padding:10px 12px}
figcaption{font-size:14px;margin-bottom:2px}
.stats{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12.5px;color:var(--muted);font-variant-numeric:tabular-nums}
.stats b{color:var(--text);font-weight:600}
svg.chart{width:100%;height:auto;display:block;font-family:inherit}
.grid{stroke:var(--grid);stroke-width:1}
.axis,.tickmark{stroke:var(--axis);stroke-width:1}
.tick{fill:var(--muted);font-size:11px;font-variant-numeric:tabular-nums}
.axis-title{fill:var(--muted);font-size:11.5px}
.empty{fill:var(--muted);font-size:14px}
.bar{opacity:.8}.bar:hover{opacity:1}.bar.overflow{opacity:.45}
.bar.c1{fill:var(--c1)}.bar.c2{fill:var(--c2)}.bar.c3{fill:var(--c3)}.bar.c4{fill:var(--c4)}
.cdf{fill:none;stroke:var(--text);stroke-width:1.6;opacity:.75}
.pmark{stroke:var(--text);stroke-width:1;stroke-dasharray:3 3;opacity:.55}
.plabel{fill:var(--text);font-size:10.5px;opacity:.8}
.area.c1{fill:var(--c1);opacity:.16}
.line{fill:none;stroke-width:2;stroke-linejoin:round}
.line.c1{stroke:var(--c1)}.line.c5{stroke:var(--c5)}.line.thin{stroke-width:1.6;stroke-dasharray:5 3}
.c5t{fill:var(--c5)}
.hover{fill:transparent}.hover:hover{fill:var(--text);opacity:.05}
.failmark{fill:var(--bad)}
.pts circle{opacity:.55}.pts.c4{fill:var(--c4)}.pts.c1{fill:var(--c1)}
.failx{stroke:var(--bad);stroke-width:1.8;fill:none}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:7px 10px;border-bottom:1px solid var(--border);text-align:right}
th:first-child,td:first-child{text-align:left}
thead th{font-size:12px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
table.fail td:last-child{text-align:left;word-break:break-word}
table.fail th:last-child{text-align:left}
.details{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:6px 24px;margin:14px 0 0}
.details div{display:flex;gap:8px;font-size:13px}
.details dt{color:var(--muted);min-width:160px;flex:none}
.details dd{margin:0;overflow-wrap:anywhere}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:18px}
`;
