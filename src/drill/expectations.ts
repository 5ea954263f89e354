import type { DrillResult } from './run-drill.js';
import type { DrillScenario } from './scenarios.js';

/**
 * Did the orchestrator do what the scenario expects? Outcomes from the reports; whether the
 * writer moved from the simulated cloud itself, not from the orchestrator's account of it.
 */
export function meetsExpectation(result: DrillResult, expected: DrillScenario['expected']): boolean {
  if (!expected) return true;
  // Every database: 'target' means all of them moved, 'source' that none did (a split meets neither).
  const moved = result.after.databases.map(
    (db, i) => db.writerRegion !== result.before.databases[i]?.writerRegion,
  );
  const writerMoved = moved.every(Boolean) ? true : moved.some(Boolean) ? null : false;
  const others = result.executions.slice(1).map((e) => e.report?.outcome ?? 'no report');
  return (
    (result.report?.outcome ?? 'no report') === expected.outcome &&
    writerMoved === { target: true, source: false, split: null }[expected.writer] &&
    (expected.others ?? []).every((outcome, i) => others[i] === outcome) &&
    (expected.recovery === undefined ||
      (result.report?.recovery.kind === expected.recovery.kind &&
        result.report?.recovery.complete === expected.recovery.complete))
  );
}
