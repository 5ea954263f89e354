import {
  EVENT_SOURCE,
  failoverEventDetailSchema,
  MOMENT_DETAIL_TYPES,
  OUTCOME_DETAIL_TYPES,
} from '../events/detail.js';
import type { PublishedEvent } from '../sim/eventbridge.js';
import type { InvariantResult } from './invariants.js';
import type { DrillResult } from './run-drill.js';

const OUTCOME_TYPES = new Set<string>(Object.values(OUTCOME_DETAIL_TYPES));

/** An event the step says it could not publish (src/events/build.ts publicationFacts). */
function reportedUnpublished(execution: DrillResult['executions'][number], detailType: string): boolean {
  return (execution.report?.timeline ?? []).some((e) => e.facts?.eventNotPublished === detailType);
}

/**
 * Every execution that started publishes one "Failover Started" and, last, exactly one outcome
 * event that matches its report's outcome, each with a valid versioned detail, from the
 * product's own source, on the default bus of the region the orchestrator runs in. Read from the
 * simulated EventBridge, not from the steps' account. Repeats of one eventId (a retried step)
 * count once; an event the step's timeline says it could not publish may be missing (best
 * effort), never wrong.
 */
export function eventsPerExecution(result: DrillResult, orchestratorRegion: string): InvariantResult {
  const problems: string[] = [];
  const all = result.cloud.publishedEvents();
  for (const event of all) {
    const parsed = failoverEventDetailSchema.safeParse(event.detail);
    if (!parsed.success) problems.push(`${event.detailType} ${String(event.detail.eventId)}: detail invalid`);
    if (event.source !== EVENT_SOURCE) problems.push(`${event.detailType}: source ${event.source}`);
    if (event.region !== orchestratorRegion || event.eventBusName !== 'default')
      problems.push(`${event.detailType}: on ${event.eventBusName} in ${event.region}`);
  }
  for (const execution of result.executions) {
    const own = distinct(
      all.filter((e) => (e.detail.execution as { name?: unknown })?.name === execution.name),
    );
    const outcomes = own.filter((e) => OUTCOME_TYPES.has(e.detailType));
    // Checked for every execution, reported or not (one that died without a report may still
    // have published twice). Started comes from acquire-lock, which says on its timeline when it
    // could not publish. An execution whose input was never understood runs no acquire-lock and
    // publishes none; one whose acquire-lock never returned (its region's APIs down) has no
    // timeline to say it: one of its attempts may have published Started, none need have.
    const started = own.filter((e) => e.detailType === MOMENT_DETAIL_TYPES.started);
    const attempted = execution.records.some((r) => r.functionName === 'acquireLock');
    const returned = execution.records.some(
      (r) => r.functionName === 'acquireLock' && r.outcome.kind === 'succeeded',
    );
    if (started.length > 1) problems.push(`${execution.name}: ${started.length} Started events`);
    if (returned && started.length === 0 && !reportedUnpublished(execution, MOMENT_DETAIL_TYPES.started))
      problems.push(`${execution.name}: no Started event, and acquire-lock did not say it failed to publish`);
    if (!attempted && started.length > 0) problems.push(`${execution.name}: Started without acquire-lock`);
    if (started[0] && own[0] !== started[0])
      problems.push(`${execution.name}: ${own[0]?.detailType} before Started`);
    const report = execution.report;
    if (!report) continue; // report-per-execution says so
    // Stopped by an operator: no step ran after the stop to publish an outcome (Step Functions'
    // own "Step Functions Execution Status Change" event says ABORTED); Started still counts.
    if (execution.status === 'ABORTED' && outcomes.length === 0) continue;
    const expected = OUTCOME_DETAIL_TYPES[report.outcome];
    if (outcomes.length === 0 && !reportedUnpublished(execution, expected))
      problems.push(`${execution.name}: no outcome event`);
    if (outcomes.length > 1) problems.push(`${execution.name}: ${outcomes.length} outcome events`);
    const outcome = outcomes[0];
    if (outcome && (outcome.detailType !== expected || outcome.detail.outcome !== report.outcome))
      problems.push(`${execution.name}: ${outcome.detailType} for a ${report.outcome} report`);
    if (outcome && own.at(-1) !== outcome)
      problems.push(`${execution.name}: ${own.at(-1)?.detailType} after the outcome`);
  }
  return {
    name: 'events-per-execution',
    held: problems.length === 0,
    detail:
      problems.length === 0
        ? `${all.length} event(s): each execution one Started and one outcome event matching its report`
        : problems.join('; '),
    ...(problems.length ? { problems: problems.map((detail) => ({ kind: 'events', detail })) } : {}),
  };
}

function distinct(events: readonly PublishedEvent[]): PublishedEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => {
    const id = String(e.detail.eventId);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
