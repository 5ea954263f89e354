import type { DecoratableClient } from '../aws/clients.js';
import { awsClients } from '../aws/clients.js';
import { type DrillResult, type InterpreterEvent, startDrill } from '../drill/run-drill.js';
import type { DrillScenario } from '../drill/scenario-types.js';
import type { FailoverPlan } from '../plan/schema.js';
import type { DrillTrace } from './critical-path.js';
import { type Observation, observe } from './observations.js';

/**
 * Runs one drill and keeps what the benchmark reads from it: every API call, the cloud as it
 * changed, every Lambda invocation, the interpreter's state events and the number of metrics
 * GetMetricData was asked for.
 *
 * The simulator applies time-driven transitions (a promotion finishing, a task starting) only
 * when something observes it, and tells onChange listeners then. Left alone, the first observer
 * would be the orchestrator's own next poll, and the floor would include the polling interval
 * it is meant to expose. So the benchmark also looks every `pollMs` of virtual time. Looking does
 * not change the simulation: transitions are computed from timestamps, in time order, whoever
 * observes them (test/bench checks that a drill's RTO is the same with and without it).
 */
export const DEFAULT_POLL_MS = 250;

export interface MeasureOptions {
  seed: number;
  /** A variant of the state machine (the sequential baseline); the deployed one when absent. */
  definition?: object;
  /** A plan file instead of plans/dev.json (the fan-out variants). */
  planFile?: string;
  /** 0: do not poll (the orchestrator's own calls are the only observers). */
  pollMs?: number;
}

export interface InvocationRecord {
  stateName: string;
  functionName: string;
  startedAt: number;
  endedAt: number;
  outcome: { kind: 'succeeded' | 'failed' };
}

export interface DrillMeasure {
  scenario: string;
  seed: number;
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  outcome: string | null;
  rtoSeconds: number | null;
  /** Execution start -> verifiedAt (s); null unless the target was verified. */
  startToVerifiedSeconds: number | null;
  trace: DrillTrace;
  /** StateEntered events of the first execution (Step Functions bills one transition per state entered). */
  statesEntered: number;
  /** StateRetried events: each retry is billed as another transition too. */
  stateRetries: number;
  invocations: InvocationRecord[];
  /** SDK calls as the simulated endpoints saw them (each SDK retry attempt counts). */
  callsByCommand: Record<string, number>;
  /** Metrics asked for in GetMetricData requests (MetricStat queries; one per logical SDK call). */
  metricsRequested: number;
  virtualSeconds: number;
}

/** CloudWatch bills GetMetricData per metric requested: counts MetricStat queries per request. */
function countMetricsRequested(add: (n: number) => void) {
  return (client: DecoratableClient) => {
    client.middlewareStack.add(
      // biome-ignore lint/suspicious/noExplicitAny: the SDK's generic middleware signature
      (next: any, context: any) => async (args: any) => {
        if (context.commandName === 'GetMetricDataCommand') {
          const queries = (args.input?.MetricDataQueries ?? []) as { MetricStat?: unknown }[];
          add(queries.filter((q) => q.MetricStat !== undefined).length);
        }
        return next(args);
      },
      { step: 'initialize', name: 'benchMetricsRequested', override: true },
    );
  };
}

/** The alarm's state-change time in an EventBridge alarm event; null for an operator's input. */
export function alarmChangedAt(input: unknown): number | null {
  const stamp = (input as { detail?: { state?: { timestamp?: unknown } } } | null)?.detail?.state?.timestamp;
  if (typeof stamp !== 'string') return null;
  const at = Date.parse(stamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(at) ? null : at;
}

function executionInput(result: DrillResult): unknown {
  const started = result.history.find((e) => e.type === 'ExecutionStarted');
  try {
    return JSON.parse(started?.executionStartedEventDetails?.input ?? 'null');
  } catch {
    return null;
  }
}

export async function measureDrill(scenario: DrillScenario, options: MeasureOptions): Promise<DrillMeasure> {
  const observations: Observation[] = [];
  let plan: FailoverPlan | undefined;
  let metricsRequested = 0;
  let poller: ReturnType<typeof setInterval> | undefined;
  const events: InterpreterEvent[] = [];
  // The first execution's name (run-drill.ts names them so); a scenario may start more.
  const firstExecution = `drill-${scenario.name}-${options.seed}`;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;

  const result = await startDrill(scenario, {
    seed: options.seed,
    ...(options.planFile ? { planFile: options.planFile } : {}),
    ...(options.definition ? { definition: options.definition } : {}),
    onCloud: (cloud, loaded) => {
      plan = loaded;
      observations.push(observe(cloud.snapshot()));
      cloud.onChange((snapshot) => observations.push(observe(snapshot)));
      awsClients.decorate(
        countMetricsRequested((n) => {
          metricsRequested += n;
        }),
      );
      // Under the drill's fake timers: virtual time.
      if (pollMs > 0) poller = setInterval(() => cloud.snapshot(), pollMs);
    },
    onEventLog: (execution, log) => {
      if (execution === firstExecution) events.push(log);
    },
  });
  try {
    if (poller) clearInterval(poller);
    if (!plan) throw new Error('the drill did not build its simulated cloud');
    const report = result.report;
    const startedAt = Date.parse(result.startedAt);
    const detectedAt = alarmChangedAt(executionInput(result)) ?? startedAt;
    const verifiedAt = report?.verifiedAt ? Date.parse(report.verifiedAt) : null;
    const callsByCommand: Record<string, number> = {};
    for (const call of result.cloud.calls)
      callsByCommand[call.command] = (callsByCommand[call.command] ?? 0) + 1;
    const invocations = result.records.map((r) => ({
      stateName: r.stateName,
      functionName: r.functionName,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      outcome: { kind: r.outcome.kind },
    }));
    return {
      scenario: scenario.name,
      seed: options.seed,
      status: result.status,
      outcome: report?.outcome ?? null,
      rtoSeconds: report?.rtoSeconds ?? null,
      startToVerifiedSeconds: verifiedAt === null ? null : (verifiedAt - startedAt) / 1000,
      trace: {
        plan,
        source: report?.sourceRegion ?? plan.regions.primary,
        target: report?.targetRegion ?? plan.regions.standby,
        detectedAt,
        startedAt,
        calls: [...result.cloud.calls],
        observations,
        invocations,
      },
      statesEntered: events.filter((e) => e.type === 'StateEntered').length,
      stateRetries: events.filter((e) => e.type === 'StateRetried').length,
      invocations,
      callsByCommand,
      metricsRequested,
      virtualSeconds: result.virtualSeconds,
    };
  } finally {
    result.release();
  }
}
