/**
 * The report's only stylesheet, inlined: the file must open from a laptop during an outage, so
 * it fetches nothing (system fonts only). Print: black on white, the chart and table rows never
 * split across pages, the raw timeline printed open.
 */
export const STYLE = `
:root { color-scheme: light; --ok: #1f7a3a; --bad: #b3261e; --warn: #a15c00; --muted: #5f6368; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1080px; padding: 16px 24px 48px; color: #1b1b1b; background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 22px; margin: 4px 0 8px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.verdict { border-left: 8px solid var(--muted); padding: 10px 16px; background: #f6f6f6; }
.verdict .outcome { font-weight: 700; letter-spacing: .06em; text-transform: uppercase; margin: 0; }
.verdict .summary { font-size: 15px; margin: 6px 0 0; }
.verdict-succeeded { border-color: var(--ok); } .verdict-succeeded .outcome { color: var(--ok); }
.verdict-failed, .verdict-not-approved { border-color: var(--bad); }
.verdict-failed .outcome, .verdict-not-approved .outcome { color: var(--bad); }
.verdict-partial, .verdict-suppressed, .verdict-no-action, .verdict-dry-run { border-color: var(--warn); }
.verdict-partial .outcome, .verdict-suppressed .outcome { color: var(--warn); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.failure { border: 2px solid var(--bad); padding: 8px 14px; margin-top: 16px; }
.failure h2 { margin-top: 4px; border: 0; color: var(--bad); }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; }
.figure { border: 1px solid #ddd; padding: 10px 12px; break-inside: avoid; }
.figure .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
.figure .value { display: block; font-size: 26px; font-weight: 700; }
.figure .evidence { display: block; font-size: 12.5px; color: #333; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid #e4e4e4; overflow-wrap: anywhere; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
tr { break-inside: avoid; }
.status-fenced, .status-succeeded { color: var(--ok); font-weight: 600; white-space: nowrap; }
.status-unconfirmed, .status-not-fenced, .status-failed { color: var(--bad); font-weight: 600; white-space: nowrap; }
ol.actions li { margin: 4px 0; }
.chart { break-inside: avoid; page-break-inside: avoid; overflow-x: auto; }
svg.timeline { display: block; min-width: 760px; font-size: 11px; }
svg.timeline text { fill: #1b1b1b; }
svg .lane-band { fill: #fafafa; stroke: #e2e2e2; }
svg .lane-name { font-size: 10px; fill: var(--muted); text-transform: uppercase; letter-spacing: .05em; }
svg .tick { stroke: #ececec; } svg .tick-label { fill: var(--muted); font-size: 10px; }
svg .bar rect { fill: #8ab4d8; stroke: #35607f; stroke-width: 1; }
svg .bar.outcome-succeeded rect { fill: #7fbf8e; stroke: #2c6b3b; }
svg .bar.outcome-failed rect { fill: url(#hatch) #f2b8b5; stroke: var(--bad); }
svg .bar.outcome-unconfirmed rect { fill: #f6c86b; stroke: var(--warn); }
svg .bar.outcome-skipped rect, svg .bar.outcome-no-action rect, svg .bar.outcome-dry-run rect { fill: #d6d6d6; stroke: #888; }
svg .bar.outcome-suppressed rect { fill: #e8d7a8; stroke: var(--warn); }
svg .bar.critical rect { stroke: #000; stroke-width: 2.5; }
svg .bar .step-name { font-weight: 500; } svg .bar.critical .step-name { font-weight: 700; }
svg .bar .duration { fill: #444; font-size: 10px; }
svg .hatch-line { stroke: var(--bad); stroke-width: 2; }
svg .mark circle { fill: #fff; stroke: #6a1b9a; stroke-width: 1.5; } svg .mark-retry text { fill: #6a1b9a; font-size: 9px; font-weight: 700; }
svg .mark-unreachable path { fill: #ffdf80; stroke: var(--warn); } svg .mark-unreachable text { font-size: 9px; font-weight: 700; }
svg .mark-failed path { stroke: var(--bad); stroke-width: 2.5; }
svg .mark-approval path { fill: #b39ddb; stroke: #4527a0; }
svg .mark-wait line { stroke: #1a4f7a; stroke-width: 1; stroke-dasharray: 2 1; }
svg .instant line { stroke: #555; stroke-dasharray: 4 3; }
svg .bracket line { stroke: #000; stroke-width: 1.5; } svg .bracket text { font-weight: 700; }
svg .bracket.user-facing line { stroke-dasharray: 5 2; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 12px; color: #333; }
.key { display: inline-block; width: 16px; height: 10px; margin-right: 6px; border: 1px solid #555; vertical-align: middle; }
.key-bar { background: #7fbf8e; } .key-critical { border: 2.5px solid #000; }
.key-failed { background: repeating-linear-gradient(45deg, #f2b8b5 0 3px, #b3261e 3px 5px); }
.key-unconfirmed { background: #f6c86b; } .key-mark-retry { border-radius: 50%; width: 10px; border-color: #6a1b9a; }
.key-mark-unreachable { background: #ffdf80; } .key-mark-wait { width: 2px; border-style: dashed; }
.key-mark-approval { background: #b39ddb; transform: rotate(45deg); width: 10px; }
details.raw summary { cursor: pointer; font-weight: 600; }
details.raw td:first-child { white-space: nowrap; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media print {
  @page { margin: 14mm; }
  body { max-width: none; padding: 0; color: #000; background: #fff; font-size: 11pt; }
  .verdict, .figure, svg .lane-band { background: #fff; }
  .verdict, .failure, .figure, table, th, td { border-color: #000; }
  .verdict .outcome, .figure .label, .figure .evidence, dl.facts dt, th, footer, .status-fenced,
  .status-succeeded, .status-unconfirmed, .status-not-fenced, .status-failed { color: #000; }
  svg.timeline { min-width: 0; }
  svg.timeline text, svg .lane-name, svg .tick-label, svg .bar .duration { fill: #000; }
  svg .tick { stroke: #ccc; }
  svg .bar rect { fill: #fff; stroke: #000; }
  svg .bar.outcome-failed rect { fill: url(#hatch) #fff; }
  svg .hatch-line { stroke: #000; }
  svg .bar.outcome-unconfirmed rect { fill: #fff; stroke-dasharray: 3 2; }
  svg .bar.critical rect { stroke-width: 3; }
  svg .mark circle, svg .mark path { fill: #fff; stroke: #000; }
  svg .mark-retry text { fill: #000; } svg .mark-wait line { stroke: #000; }
  .chart, figure, tr, .figure, li { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
  details.raw summary { list-style: none; }
  details.raw::details-content { content-visibility: visible; display: block; }
  .no-print { display: none; }
}
`;
