import type { FailoverReport } from '../types.js';
import { clockOf, esc, secondsText } from './escape.js';
import type { Bar, Layout, Mark, MarkKind } from './layout.js';

/**
 * The timeline chart as plain inline SVG (no script, no font or image to fetch): one row per
 * step, rows grouped in lanes, one time axis measured from the failure's first evidence. Every
 * bar is a `<g class="bar">` with data attributes and a `<title>` tooltip, so people can hover it
 * and tests can read it.
 */

const WIDTH = 1000;
const LABEL_X = 8;
const PLOT_X0 = 230;
const PLOT_X1 = WIDTH - 70;
const AXIS_Y = 62;
const TOP = 76;
const ROW = 24;
const BAR_H = 14;
const LANE_GAP = 22;
const MIN_BAR = 3;

const TICK_STEPS_S = [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400];

/** `+2:05` from the first evidence. */
function offsetText(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const total = Math.abs(seconds);
  const m = Math.floor(total / 60);
  const s = total - m * 60;
  const secs = Number.isInteger(s) ? String(s).padStart(2, '0') : s.toFixed(1).padStart(4, '0');
  return `${sign}${m}:${secs}`;
}

const MARK_NAMES: Record<MarkKind, string> = {
  retry: 'retry',
  unreachable: 'unreachable / timed out',
  wait: 'wait (poll)',
  approval: 'approval',
  failed: 'failure',
};

function markShape(mark: Mark, x: number, y: number): string {
  const title = `<title>${esc(`${clockOf(new Date(mark.atMs).toISOString())} ${mark.label}`)}</title>`;
  const attrs = `class="mark mark-${mark.kind}" data-mark="${mark.kind}"`;
  const cy = y + BAR_H / 2;
  switch (mark.kind) {
    case 'retry':
      return `<g ${attrs}>${title}<circle cx="${x}" cy="${cy}" r="6"/><text x="${x}" y="${cy + 3.5}" text-anchor="middle">R</text></g>`;
    case 'unreachable':
      return `<g ${attrs}>${title}<path d="M${x} ${cy - 7} L${x + 7} ${cy + 6} L${x - 7} ${cy + 6} Z"/><text x="${x}" y="${cy + 4.5}" text-anchor="middle">!</text></g>`;
    case 'failed':
      return `<g ${attrs}>${title}<path d="M${x - 5} ${cy - 5} L${x + 5} ${cy + 5} M${x + 5} ${cy - 5} L${x - 5} ${cy + 5}"/></g>`;
    case 'approval':
      return `<g ${attrs}>${title}<path d="M${x} ${cy - 6} L${x + 6} ${cy} L${x} ${cy + 6} L${x - 6} ${cy} Z"/></g>`;
    case 'wait':
      return `<g ${attrs}>${title}<line x1="${x}" y1="${y - 3}" x2="${x}" y2="${y + BAR_H + 3}"/></g>`;
  }
}

function barGroup(bar: Bar, y: number, x: (ms: number) => number): string {
  const { summary } = bar;
  const x0 = x(bar.startMs);
  const width = Math.max(MIN_BAR, x(bar.endMs) - x0);
  const kinds = [...new Set(bar.marks.map((m) => MARK_NAMES[m.kind]))];
  const tooltip = [
    `${summary.step}: ${summary.outcome}, ${summary.seconds} s`,
    `${clockOf(summary.startedAt)} to ${clockOf(summary.endedAt)} UTC, lane ${bar.lane + 1}`,
    bar.critical ? 'on the critical path' : 'not on the critical path',
    ...(kinds.length > 0 ? [`marks: ${kinds.join(', ')}`] : []),
  ].join('\n');
  const classes = [
    'bar',
    `outcome-${summary.outcome.replace(/[^a-z-]/g, '')}`,
    bar.critical ? 'critical' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const label = `${summary.seconds} s${bar.critical ? ' · critical' : ''}`;
  const marks = bar.marks.map((m) => markShape(m, x(m.atMs), y)).join('');
  return [
    `<g class="${esc(classes)}" data-step="${esc(summary.step)}" data-critical="${bar.critical}"`,
    ` data-lane="${bar.lane + 1}" data-outcome="${esc(summary.outcome)}" data-seconds="${summary.seconds}"`,
    ` data-started="${esc(summary.startedAt)}" data-ended="${esc(summary.endedAt)}">`,
    `<title>${esc(tooltip)}</title>`,
    `<text class="step-name" x="${LABEL_X + 14}" y="${y + BAR_H - 3}">${esc(summary.step)}</text>`,
    `<rect x="${x0.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${BAR_H}" rx="2"/>`,
    `<text class="duration" x="${(x0 + width + 4).toFixed(1)}" y="${y + BAR_H - 3}">${esc(label)}</text>`,
    marks,
    '</g>',
  ].join('');
}

function axis(layout: Layout, x: (ms: number) => number, bottom: number): string {
  const spanS = (layout.toMs - layout.fromMs) / 1000;
  const step = TICK_STEPS_S.find((s) => spanS / s <= 10) ?? 14400;
  const zero = Number.isFinite(layout.detectedMs) ? layout.detectedMs : layout.fromMs;
  const parts: string[] = [];
  const first = Math.ceil((layout.fromMs - zero) / 1000 / step) * step;
  for (let t = first; zero + t * 1000 <= layout.toMs; t += step) {
    const tx = x(zero + t * 1000).toFixed(1);
    parts.push(
      `<line class="tick" x1="${tx}" y1="${AXIS_Y}" x2="${tx}" y2="${bottom}"/>`,
      `<text class="tick-label" x="${tx}" y="${AXIS_Y - 4}" text-anchor="middle">${offsetText(t)}</text>`,
    );
  }
  return parts.join('');
}

/** RTO and user-facing RTO as brackets over the axis, with the instants they are measured from and to. */
function rtoBrackets(
  report: FailoverReport,
  layout: Layout,
  x: (ms: number) => number,
  bottom: number,
): string {
  const parts: string[] = [];
  const at = (ms: number) => x(ms).toFixed(1);
  if (Number.isFinite(layout.detectedMs)) {
    parts.push(
      `<g class="instant instant-detected"><title>${esc(`first evidence of the failure: ${report.detectedAt}`)}</title>`,
      `<line x1="${at(layout.detectedMs)}" y1="${AXIS_Y}" x2="${at(layout.detectedMs)}" y2="${bottom}"/></g>`,
    );
  }
  const bracket = (cls: string, toMs: number, y: number, text: string, tip: string) =>
    `<g class="bracket ${cls}"><title>${esc(tip)}</title>` +
    `<line x1="${at(layout.detectedMs)}" y1="${y}" x2="${at(toMs)}" y2="${y}"/>` +
    `<line x1="${at(toMs)}" y1="${y - 4}" x2="${at(toMs)}" y2="${y + 4}"/>` +
    `<text x="${at(toMs)}" y="${y - 3}" text-anchor="end">${esc(text)}</text></g>`;
  if (layout.verifiedMs !== null && Number.isFinite(layout.detectedMs)) {
    parts.push(
      bracket(
        'rto',
        layout.verifiedMs,
        18,
        `RTO ${secondsText(report.rtoSeconds)}`,
        `RTO: first evidence ${report.detectedAt} to target verified serving ${report.verifiedAt}`,
      ),
      `<g class="instant instant-verified"><title>${esc(`target verified serving: ${report.verifiedAt}`)}</title>`,
      `<line x1="${at(layout.verifiedMs)}" y1="${AXIS_Y}" x2="${at(layout.verifiedMs)}" y2="${bottom}"/></g>`,
    );
  }
  if (layout.userFacingMs !== null && Number.isFinite(layout.detectedMs)) {
    parts.push(
      bracket(
        'user-facing',
        layout.userFacingMs,
        38,
        `user-facing RTO ${secondsText(report.userFacingRtoSeconds)} (+ DNS TTL ${secondsText(report.dnsTtlSeconds)})`,
        'User-facing RTO: RTO plus the DNS TTL, the longest a client keeps the old answer',
      ),
    );
  }
  return parts.join('');
}

export function timelineSvg(report: FailoverReport, layout: Layout): string {
  if (layout.bars.length === 0) {
    return '<p class="no-steps">No step recorded a timeline event: there is nothing to draw (see the raw timeline and the failure above).</p>';
  }
  const rows: string[] = [];
  let y = TOP;
  const x = (ms: number) =>
    PLOT_X0 + ((ms - layout.fromMs) / (layout.toMs - layout.fromMs || 1)) * (PLOT_X1 - PLOT_X0);
  for (let lane = 0; lane < layout.lanes; lane++) {
    const bars = layout.bars.filter((b) => b.lane === lane);
    if (bars.length === 0) continue;
    const laneTop = y;
    const laneRows = bars.map((bar, i) => barGroup(bar, laneTop + 12 + i * ROW, x)).join('');
    const height = 12 + bars.length * ROW;
    // Greedy lanes (layout.ts): a step lands in lane k+1 only when lanes 1..k were all busy as it started.
    const name =
      lane === 0
        ? 'lane 1'
        : `lane ${lane + 1}: started while lane${lane > 1 ? 's 1 to' : ''} ${lane} ${lane > 1 ? 'were' : 'was'} busy`;
    rows.push(
      `<g class="lane" data-lane="${lane + 1}"><rect class="lane-band" x="2" y="${laneTop}" width="${WIDTH - 4}" height="${height}"/>`,
      `<text class="lane-name" x="${LABEL_X}" y="${laneTop + 9}">${esc(name)}</text>${laneRows}</g>`,
    );
    y += height + LANE_GAP;
  }
  const bottom = y - LANE_GAP + 4;
  const height = bottom + 8;
  const title = `Timeline of ${report.steps.length} steps in ${layout.lanes} lane(s), from the failure's first evidence`;
  return [
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${esc(title)}">`,
    `<title>${esc(title)}</title>`,
    '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">',
    '<line x1="0" y1="0" x2="0" y2="6" class="hatch-line"/></pattern></defs>',
    axis(layout, x, bottom),
    rtoBrackets(report, layout, x, bottom),
    rows.join(''),
    '</svg>',
  ].join('');
}

/** The legend under the chart, in words, so a printout reads without colour. */
export function legend(): string {
  const items = [
    ['bar', 'one step, first to last event; its length is its duration'],
    ['critical', 'thick outline: on the critical path (the chain of steps the end waited for)'],
    ['failed', 'red, hatched: the step failed (X marks when)'],
    ['unconfirmed', 'amber: the step could not confirm its outcome (a region did not answer)'],
    ['mark-retry', 'R: a failed attempt the state machine retried'],
    ['mark-unreachable', '!: calls that got no answer, timed out, or were not confirmed'],
    ['mark-wait', 'tick: a poll while waiting (AWS still working)'],
    ['mark-approval', 'diamond: approval asked or answered'],
  ];
  return `<ul class="legend">${items
    .map(([cls, text]) => `<li><span class="key key-${esc(cls)}"></span>${esc(text)}</li>`)
    .join('')}</ul>`;
}
