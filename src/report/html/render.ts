import type { FailoverReport } from '../types.js';
import type { RetryMark } from './attempts.js';
import { legend, timelineSvg } from './chart.js';
import { clockOf, esc } from './escape.js';
import { hooks } from './hooks.js';
import { layoutOf } from './layout.js';
import {
  actions,
  failure,
  fencing,
  figures,
  rawTimeline,
  readiness,
  stepsTable,
  verdict,
} from './sections.js';
import { STYLE } from './style.js';

export interface HtmlReportOptions {
  /** Retried attempts read from the execution history (attempts.ts); the report model has none. */
  retries?: readonly RetryMark[];
}

/**
 * The report as one self-contained HTML file: another rendering of the same FailoverReport the
 * Markdown renderer prints (../render.ts), never a second computation of it. It fetches nothing:
 * inline CSS, inline SVG, system fonts, no script, and a Content-Security-Policy that forbids
 * every fetch, so it opens the same from a laptop cut off from everything during an outage.
 * Order: verdict and summary; what went wrong; RTO, user-facing RTO, RPO with their evidence;
 * the timeline chart; fencing; readiness; what a human must still do; the raw timeline, folded.
 * CLI and drill only: no Lambda handler imports it (test/report/html-bundles.test.ts).
 */
export function renderHtmlReport(report: FailoverReport, options: HtmlReportOptions = {}): string {
  const layout = layoutOf(report, options.retries ?? []);
  const unplaced =
    layout.unplaced.length === 0
      ? ''
      : `<p>Retries outside the report's steps: ${layout.unplaced
          .map((r) => `${esc(r.state)} at ${esc(clockOf(r.at))} after ${esc(r.error)}`)
          .join('; ')}</p>`;
  const critical = layout.bars
    .filter((b) => b.critical)
    .sort((a, b) => a.startMs - b.startMs || a.index - b.index)
    .map((b) => b.step);
  const title = `${report.outcome}: ${report.planName ?? 'unknown plan'} ${report.executionName}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(`Failover report: ${title}`)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    verdict(report),
    failure(report),
    figures(report),
    '<section id="timeline"><h2>Timeline</h2>',
    `<p>Every step of the execution on one time axis (UTC, date ${esc(report.detectedAt.slice(0, 10))}), measured from the failure's first evidence. Steps that ran at the same time are in separate lanes. Critical path: ${esc(critical.join(' → ') || 'none')}.</p>`,
    `<figure class="chart">${timelineSvg(report, layout)}</figure>`,
    legend(),
    unplaced,
    stepsTable(layout),
    '</section>',
    fencing(report),
    hooks(report),
    readiness(report),
    actions(report),
    rawTimeline(report),
    `<footer>Failover report of execution ${esc(report.executionName)}, rebuilt from its execution history. Self-contained: this file loads nothing from the network.</footer>`,
    '</body></html>',
    '',
  ].join('\n');
}
