import { type DetailType, MOMENT_DETAIL_TYPES, OUTCOME_DETAIL_TYPES } from '../events/detail.js';
import type { HookPoint } from '../plan/hooks.js';
import type { DrillResult } from './run-drill.js';
import type { DrillScenario } from './scenarios.js';

/**
 * Did the orchestrator do what the scenario expects? Outcomes from the reports; whether the
 * writer moved from the simulated cloud itself, not from the orchestrator's own account of it;
 * the events from what the simulated EventBridge took.
 */
export function meetsExpectation(result: DrillResult, expected: DrillScenario['expected']): boolean {
  if (!expected) return true;
  // Every database: 'target' means all of them moved, 'source' that none did (a split meets neither).
  const moved = result.after.databases.map(
    (db, i) => db.writerRegion !== result.before.databases[i]?.writerRegion,
  );
  const writerMoved = moved.every(Boolean) ? true : moved.some(Boolean) ? null : false;
  const outcomeOf = (e: { report: DrillResult['report'] }) => e.report?.outcome ?? 'no report';
  const executions = result.executions;
  // Executions that race (two alarms a second apart) may take the lock in either order, on AWS
  // as here: for a scenario that says so, the outcomes are compared as a set, and the
  // per-execution checks below read the execution that ended as `outcome`.
  const sameOutcomes = expected.racing
    ? JSON.stringify(executions.map(outcomeOf).sort()) ===
      JSON.stringify([expected.outcome, ...(expected.others ?? [])].sort())
    : outcomeOf(result) === expected.outcome &&
      (expected.others ?? []).every(
        (outcome, i) => outcomeOf(executions[i + 1] ?? { report: null }) === outcome,
      );
  const main = expected.racing
    ? (executions.find((e) => outcomeOf(e) === expected.outcome) ?? result)
    : result;
  return (
    sameOutcomes &&
    writerMoved === { target: true, source: false, split: null }[expected.writer] &&
    (expected.recovery === undefined ||
      (main.report?.recovery.kind === expected.recovery.kind &&
        (expected.recovery.complete === undefined ||
          main.report?.recovery.complete === expected.recovery.complete))) &&
    Object.entries(expected.hooks ?? {}).every(
      ([point, status]) => main.report?.hooks[point as HookPoint]?.status === status,
    ) &&
    JSON.stringify(publishedDetailTypes(result, main.name)) === JSON.stringify(expectedEvents(expected))
  );
}

/** The scenario's events, or the default: Started, then the expected outcome's event. */
export function expectedEvents(expected: NonNullable<DrillScenario['expected']>): readonly DetailType[] {
  return expected.events ?? [MOMENT_DETAIL_TYPES.started, OUTCOME_DETAIL_TYPES[expected.outcome]];
}

/**
 * The detail-types of the events one execution (the first by default) published, in the order
 * EventBridge took them, each eventId once: a retried step publishes again, and consumers
 * dedupe on eventId (docs/events.md).
 */
export function publishedDetailTypes(result: DrillResult, execution = result.name): string[] {
  const seen = new Set<string>();
  return result.cloud
    .publishedEvents()
    .filter((e) => (e.detail.execution as { name?: unknown } | undefined)?.name === execution)
    .filter((e) => {
      const id = String(e.detail.eventId);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    })
    .map((e) => e.detailType);
}
