import { performance } from 'node:perf_hooks';
import { checkedDrill, type InvariantResult } from '../invariants.js';
import type { DrillOptions, DrillResult } from '../run-drill.js';
import type { ChaosCase } from './case.js';
import { chaosScenario } from './scenario.js';

/** One broken invariant, one way: `kind` tells the ways of one invariant apart. */
export interface Violation {
  invariant: string;
  kind: string | null;
  detail: string;
}

/** The class a violation is counted and shrunk under: invariant, or invariant/kind. */
export const classOf = (v: Violation): string => (v.kind ? `${v.invariant}/${v.kind}` : v.invariant);

export interface CaseRun {
  /** The first execution's outcome, then the others', 'no report' for one that left none. */
  outcomes: string[];
  /** The error each failed execution's report names (`failure.error`). */
  failures: string[];
  violations: Violation[];
  checks: InvariantResult[];
  virtualSeconds: number;
  wallMs: number;
}

/** Every way the checks were broken, one violation per problem. */
export function violationsOf(checks: readonly InvariantResult[]): Violation[] {
  return checks
    .filter((c) => !c.held)
    .flatMap((c): Violation[] =>
      c.problems && c.problems.length > 0
        ? c.problems.map((p) => ({ invariant: c.name, kind: p.kind, detail: p.detail }))
        : [{ invariant: c.name, kind: null, detail: c.detail }],
    );
}

/**
 * Runs one case as a drill under the invariant checker. A drill that throws (it never ended,
 * the simulator lacks a command) is a violation of its own, class `drill-error/<name>`: a run
 * that cannot be judged is not a pass.
 */
export async function runCase(
  c: ChaosCase,
  options: Omit<DrillOptions, 'seed' | 'onCloud'> = {},
): Promise<CaseRun & { result: DrillResult | null }> {
  const started = performance.now();
  try {
    const { result, checks } = await checkedDrill(chaosScenario(c), c.seed, options);
    return {
      outcomes: result.executions.map((e) => e.report?.outcome ?? 'no report'),
      failures: result.executions.flatMap((e) => (e.report?.failure ? [e.report.failure.error] : [])),
      violations: violationsOf(checks),
      checks,
      virtualSeconds: result.virtualSeconds,
      wallMs: performance.now() - started,
      result,
    };
  } catch (error) {
    const e = error as Error;
    // The case's plan variant is refused by the plan's own checks: the generator's mistake, not
    // the orchestrator's. Counted apart so it shows, never as a violation.
    if (e.name === 'PlanInvalidError')
      return {
        outcomes: ['invalid case'],
        failures: [],
        violations: [],
        checks: [],
        virtualSeconds: 0,
        wallMs: performance.now() - started,
        result: null,
      };
    return {
      outcomes: ['drill error'],
      failures: [],
      violations: [{ invariant: 'drill-error', kind: e.name || 'Error', detail: e.message }],
      checks: [],
      virtualSeconds: 0,
      wallMs: performance.now() - started,
      result: null,
    };
  }
}
