import { OUTCOME_TITLES } from '../render.js';
import type { FailoverReport } from '../types.js';
import { clockOf, esc, secondsText } from './escape.js';
import type { Layout } from './layout.js';

/** The report's sections as HTML, each from the report's own fields, every string escaped. */

const statusClass = (value: string) => `status-${value.toLowerCase().replace(/[^a-z-]/g, '')}`;

export function verdict(report: FailoverReport): string {
  const route = `${report.sourceRegion ?? '?'} -> ${report.targetRegion ?? '?'}`;
  const facts: [string, string][] = [
    ['Plan', report.planName ?? 'unknown plan'],
    ['Execution', report.executionName],
    ['Mode', report.mode ?? 'unknown'],
    ['Requested by', report.requestedBy ?? '?'],
    ['Reason', report.reason ?? 'n/a'],
    ['Lock', `${report.lock.state}: ${report.lock.detail}`],
  ];
  return [
    `<header class="verdict verdict-${esc(report.outcome)}" id="verdict" data-outcome="${esc(report.outcome)}">`,
    `<p class="outcome">${esc(report.outcome)}</p>`,
    `<h1>${esc(`${OUTCOME_TITLES[report.outcome]}: ${report.planName ?? 'unknown plan'} ${route}`)}</h1>`,
    `<p class="summary" id="summary">${esc(report.summary)}</p>`,
    `<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`,
    '</header>',
  ].join('');
}

/** A failed (or partly recovered) run says what stopped it and what recovery did, before any figure. */
export function failure(report: FailoverReport): string {
  const parts: string[] = [];
  if (report.failure) {
    parts.push(
      `<p><strong>Stopped with <code>${esc(report.failure.error)}</code>:</strong> ${esc(report.failure.cause)}</p>`,
    );
  }
  if (report.recovery.kind !== 'none') {
    parts.push(
      `<p>Recovery: <strong>${esc(report.recovery.kind)}</strong> (${report.recovery.complete ? 'complete' : 'INCOMPLETE'})</p>`,
    );
  }
  if (report.safetyRulesOverridden.length > 0) {
    parts.push(
      `<p>Route 53 ARC safety rules overridden: ${esc(report.safetyRulesOverridden.join(', '))}</p>`,
    );
  }
  if (parts.length === 0) return '';
  return `<section class="failure" id="failure"><h2>What went wrong</h2>${parts.join('')}</section>`;
}

function figure(id: string, label: string, value: string, evidence: string): string {
  return `<div class="figure" id="${id}"><span class="label">${esc(label)}</span><span class="value">${esc(value)}</span><span class="evidence">${esc(evidence)}</span></div>`;
}

export function figures(report: FailoverReport): string {
  const detected = `from the failure's first evidence ${report.detectedAt} (the alarm's state change, or the start of a manual run)`;
  const items = [
    figure(
      'rto',
      'RTO (orchestrated)',
      secondsText(report.rtoSeconds),
      report.verifiedAt
        ? `${detected} to the target verified serving ${report.verifiedAt}, from the name servers' answers`
        : 'none: the target was never verified serving in this execution',
    ),
    figure(
      'user-facing-rto',
      'User-facing RTO',
      secondsText(report.userFacingRtoSeconds),
      report.userFacingRtoSeconds === null
        ? 'none: no RTO, or no DNS TTL known'
        : `RTO plus the DNS TTL of ${secondsText(report.dnsTtlSeconds)}: clients keep the old answer that long`,
    ),
    figure('rpo', 'RPO (data-loss window)', secondsText(report.rpo.seconds), report.rpo.basis),
  ];
  if (report.writeUnavailableSeconds !== null) {
    items.push(
      figure(
        'write-unavailable',
        'Write-unavailable window',
        secondsText(report.writeUnavailableSeconds),
        'planned switchover: from its start until the new writer accepted writes',
      ),
    );
  }
  const databases =
    report.databases.length === 0
      ? ''
      : table(
          ['Global cluster', 'Writer now', 'How it got there', 'RPO'],
          report.databases.map((d) => [
            d.globalClusterIdentifier,
            d.writerRegion ?? 'unknown',
            d.how,
            secondsText(d.rpoSeconds),
          ]),
        );
  return `<section id="figures"><h2>Recovery time and data loss</h2><div class="figures">${items.join('')}</div>${databases}</section>`;
}

function table(head: string[], rows: string[][], rowAttrs: (i: number) => string = () => ''): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r, i) => `<tr${rowAttrs(i)}>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function stepsTable(layout: Layout): string {
  return table(
    ['Step', 'Lane', 'Started (UTC)', 'Ended (UTC)', 'Duration', 'Outcome', 'Critical path', 'Marks'],
    layout.bars.map((b) => [
      b.step,
      String(b.lane + 1),
      clockOf(b.summary.startedAt),
      clockOf(b.summary.endedAt),
      `${b.summary.seconds} s`,
      b.summary.outcome,
      b.critical ? 'yes' : '',
      [...new Set(b.marks.map((m) => m.kind))].join(', '),
    ]),
  );
}

export function fencing(report: FailoverReport): string {
  const body =
    report.fencing.length === 0
      ? '<p>No fencing was recorded: this execution did not reach the fencing step.</p>'
      : `<table><thead><tr><th>Resource</th><th>Action</th><th>Outcome</th><th>Detail</th></tr></thead><tbody>${report.fencing
          .map(
            (f) =>
              `<tr><td>${esc(f.resource)}</td><td>${esc(f.action)}</td><td class="${esc(statusClass(f.outcome))}">${esc(f.outcome.toUpperCase())}</td><td>${esc(f.detail)}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  return `<section id="fencing"><h2>Fencing of the old primary</h2>${body}</section>`;
}

export function readiness(report: FailoverReport): string {
  const { ready, problems } = report.readiness;
  const verdictText =
    ready === null
      ? 'no verdict (readiness did not run, or stopped before one)'
      : ready
        ? 'ready'
        : 'NOT READY';
  const list =
    problems.length > 0
      ? `<ul>${problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>`
      : ready
        ? '<p>Every check passed.</p>'
        : '';
  return `<section id="readiness"><h2>Readiness of the target: ${esc(verdictText)}</h2>${list}</section>`;
}

export function actions(report: FailoverReport): string {
  const title =
    report.outcome === 'dry-run' ? 'Findings and what a real run would do' : 'What a human must still do';
  const list =
    report.actions.length === 0
      ? '<p>Nothing.</p>'
      : `<ol class="actions">${report.actions.map((a) => `<li>${esc(a)}</li>`).join('')}</ol>`;
  return `<section id="actions"><h2>${esc(title)}</h2>${list}</section>`;
}

export function rawTimeline(report: FailoverReport): string {
  const rows = report.timeline.map((e) => [
    clockOf(e.at),
    e.step,
    e.phase,
    e.message,
    e.facts
      ? Object.entries(e.facts)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')
      : '',
  ]);
  return `<section id="raw-timeline"><details class="raw"><summary>Raw timeline: ${report.timeline.length} events (UTC)</summary>${table(['Time', 'Step', 'Phase', 'Message', 'Facts'], rows)}</details></section>`;
}
