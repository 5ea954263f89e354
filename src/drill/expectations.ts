import type { DrillResult } from './run-drill.js';
import type { DrillScenario } from './scenarios.js';

/**
 * Did the orchestrator do what the scenario expects? Outcomes from the reports; whether the
 * writer moved from the simulated cloud itself, not from the orchestrator's account of it.
 */
export function meetsExpectation(result: DrillResult, expected: DrillScenario['expected']): boolean {
  if (!expected) return true;
  const writerMoved = result.after.database.writerRegion !== result.before.database.writerRegion;
  const others = result.executions.slice(1).map((e) => e.report?.outcome ?? 'no report');
  return (
    (result.report?.outcome ?? 'no report') === expected.outcome &&
    writerMoved === (expected.writer === 'target') &&
    (expected.others ?? []).every((outcome, i) => others[i] === outcome) &&
    (expected.recovery === undefined ||
      (result.report?.recovery.kind === expected.recovery.kind &&
        result.report?.recovery.complete === expected.recovery.complete))
  );
}
