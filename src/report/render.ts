import type { FailoverReport } from './types.js';

const show = (value: number | null, unit = 's') => (value === null ? 'n/a' : `${value} ${unit}`);
const clock = (iso: string) => iso.slice(11, 19);

/** The headline of each outcome, the same in every rendering of the report. */
export const OUTCOME_TITLES: Record<FailoverReport['outcome'], string> = {
  succeeded: 'Failover succeeded',
  partial: 'Failover PARTIAL (served, short of capacity)',
  'no-action': 'No failover',
  failed: 'Failover FAILED',
  'dry-run': 'Dry run (nothing changed)',
  'not-approved': 'Failover NOT APPROVED',
  suppressed: 'Failover suppressed',
};

/** The report as Markdown: what on-call reads after an incident, and what drills print. */
export function renderReport(report: FailoverReport): string {
  const lines: string[] = [];
  const title = OUTCOME_TITLES[report.outcome];
  lines.push(
    `# ${title}: ${report.planName ?? 'unknown plan'} ${report.sourceRegion ?? '?'} -> ${report.targetRegion ?? '?'}`,
  );
  lines.push('');
  lines.push(
    `- Execution: ${report.executionName} (${report.mode ?? 'mode unknown'}, requested by ${report.requestedBy ?? '?'})`,
  );
  lines.push(`- Reason: ${report.reason ?? 'n/a'}`);
  lines.push(`- Detected: ${report.detectedAt}`);
  lines.push(`- Verified serving from target: ${report.verifiedAt ?? 'no'}`);
  lines.push(`- RTO (orchestrated, detection -> target verified): ${show(report.rtoSeconds)}`);
  lines.push(
    `- User-facing RTO (+ DNS TTL ${show(report.dnsTtlSeconds)}): ${show(report.userFacingRtoSeconds)}`,
  );
  lines.push(`- RPO: ${show(report.rpo.seconds)} (${report.rpo.basis})`);
  if (report.writeUnavailableSeconds !== null) {
    lines.push(`- Write-unavailable window: ${show(report.writeUnavailableSeconds)}`);
  }
  if (report.databases.length > 1) {
    // Several databases: where each one writes, so a split is never silent.
    for (const d of report.databases)
      lines.push(
        `- Database ${d.globalClusterIdentifier}: writer ${d.writerRegion ?? 'unknown'} (${d.how}), RPO ${show(d.rpoSeconds)}`,
      );
  }
  if (report.failure) lines.push(`- Failure: ${report.failure.error}: ${report.failure.cause}`);
  if (report.recovery.kind !== 'none') {
    const state = report.recovery.complete ? 'complete' : 'INCOMPLETE';
    lines.push(`- Recovery: ${report.recovery.kind} (${state})`);
  }
  if (report.safetyRulesOverridden.length > 0) {
    lines.push(`- ARC safety rules overridden: ${report.safetyRulesOverridden.join(', ')}`);
  }
  lines.push(`- Lock: ${report.lock.state}: ${report.lock.detail}`);
  lines.push('');
  lines.push('## Steps');
  lines.push('');
  lines.push('| step | started | ended | duration | outcome |');
  lines.push('|---|---|---|---|---|');
  for (const s of report.steps) {
    lines.push(`| ${s.step} | ${clock(s.startedAt)} | ${clock(s.endedAt)} | ${s.seconds} s | ${s.outcome} |`);
  }
  if (report.fencing.length > 0) {
    lines.push('');
    lines.push('## Fencing of the old primary');
    lines.push('');
    for (const f of report.fencing)
      lines.push(`- ${f.outcome.toUpperCase()}: ${f.resource}: ${f.action} (${f.detail})`);
  }
  const hooks = Object.entries(report.hooks ?? {});
  if (hooks.length > 0) {
    lines.push('');
    lines.push('## Hooks');
    lines.push('');
    for (const [point, h] of hooks)
      lines.push(
        `- ${h.status.toUpperCase()}: ${point} ${h.function ?? '(plan hook)'}${h.onFailure ? ` (onFailure ${h.onFailure})` : ''}, ${h.seconds} s: ${h.detail}`,
      );
  }
  if (report.readiness.ready !== null) {
    lines.push('');
    lines.push(`## Readiness: ${report.readiness.ready ? 'ready' : 'NOT READY'}`);
    lines.push('');
    if (report.readiness.problems.length === 0) lines.push('- Every check passed.');
    for (const p of report.readiness.problems) lines.push(`- ${p}`);
  }
  lines.push('');
  lines.push(
    report.outcome === 'dry-run'
      ? '## Findings and what a real run would do'
      : '## What a human must still do',
  );
  lines.push('');
  if (report.actions.length === 0) lines.push('- Nothing.');
  for (const a of report.actions) lines.push(`- ${a}`);
  lines.push('');
  lines.push(`Summary: ${report.summary}`);
  return lines.join('\n');
}

export function renderTimelineLine(e: { at: string; step: string; phase: string; message: string }): string {
  return `${clock(e.at)}  ${e.step.padEnd(18)} ${e.phase.padEnd(11)} ${e.message}`;
}
