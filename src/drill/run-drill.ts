import './polyfill.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { ExecutionAbortedError, ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { awsClients } from '../aws/clients.js';
import { authoritativeDns } from '../dns-answers/resolver.js';
import { stepHandlers } from '../handlers/index.js';
import { rebuildReport } from '../history/rebuild.js';
import { toHistoryEvents } from '../history/record.js';
import { databasesOf } from '../plan/databases.js';
import { loadPlanFile } from '../plan/load.js';
import type { FailoverPlan } from '../plan/schema.js';
import { type FailoverReport, failoverReportSchema } from '../report/types.js';
import { type CloudSnapshot, SimulatedCloud } from '../sim/cloud.js';
import type { LatencyProfile } from '../sim/latencies.js';
import { logger, onTimeline } from '../timeline/emit.js';
import type { TimelineEvent } from '../timeline/types.js';
import { bindTasks, type TaskRecord } from './bindings.js';
import { installVirtualClock, type VirtualClock } from './clock.js';
import { LiveExecutions, playOperators } from './operators.js';
import { dataLimitError, PayloadWatch } from './payload-limit.js';
import type { DrillScenario, ScenarioContext } from './scenarios.js';

export const STATE_MACHINE_FILE = fileURLToPath(
  new URL('../../statemachines/failover.asl.json', import.meta.url),
);
export const DEFAULT_PLAN_FILE = fileURLToPath(new URL('../../plans/dev.json', import.meta.url));
/** Drills start at a fixed virtual instant so the same scenario always prints the same times. */
export const DRILL_START = new Date('2026-11-22T03:00:00.000Z');
/** Longest a drill may run in virtual time before it is called stuck. */
const VIRTUAL_LIMIT_MS = 4 * 3600_000;

export interface DrillOptions {
  seed?: number;
  /** The simulated cloud's latency profile (src/sim/latencies.ts); a scenario may pin its own. */
  profile?: LatencyProfile;
  planFile?: string;
  /** Called with each step's timeline events as the step finishes (virtual time). */
  onTimeline?: (events: readonly TimelineEvent[]) => void;
  /** Called when the state machine retries a state. */
  onRetry?: (state: string, error: string, attempt: number) => void;
  /** Called with the simulated cloud and the plan before the first execution starts (e.g. to watch it). */
  onCloud?: (cloud: SimulatedCloud, plan: FailoverPlan) => void;
  /**
   * A variant of the state machine to drill instead of statemachines/failover.asl.json (parsed
   * ASL, e.g. the benchmark's sequential baseline); the deployed file when absent.
   */
  definition?: object;
  /** Called with every event the interpreter logs (state entered/exited/retried...), per execution. */
  onEventLog?: (execution: string, log: InterpreterEvent) => void;
}

/** One event of the interpreter's event log (aws-local-stepfunctions does not export the type). */
export type InterpreterEvent =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export interface ExecutionRun {
  name: string;
  startedAt: string;
  /** ABORTED: an operator stopped it (scenario `operators`); its report is rebuilt from its history. */
  status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  /** Error name and cause of a failed execution, as Step Functions would show them. */
  error: { name: string; cause: string } | null;
  report: FailoverReport | null;
  retries: { state: string; error: string; attempt: number }[];
  /** Every Lambda invocation, for the execution history and the idempotency check. */
  records: TaskRecord[];
  /** The execution history as GetExecutionHistory would return it, for `failover report`. */
  history: HistoryEvent[];
  /** The largest state input, output or task result it carried: Step Functions allows 256 KiB. */
  largestPayloadBytes: number;
}

export interface DrillResult extends ExecutionRun {
  scenario: string;
  seed: number;
  before: CloudSnapshot;
  after: CloudSnapshot;
  cloud: SimulatedCloud;
  /** Every execution of the scenario, the first one included (its fields are also above). */
  executions: ExecutionRun[];
  virtualSeconds: number;
  /** What the scenario's operators typed and what their commands printed (src/drill/operators.ts). */
  operatorLog: string[];
  /** The virtual clock, still installed until `release()`: checks after the run use it. */
  clock: VirtualClock;
  release: () => void;
}

/**
 * Writes the scenario's variant of the plan (approval, drain, ...) next to nothing else: a
 * temporary file, because the handlers read their plan from FAILOVER_PLAN_FILE as deployed.
 */
function planFileFor(scenario: DrillScenario, base: string): string {
  if (!scenario.plan) return base;
  const raw = JSON.parse(readFileSync(base, 'utf8'));
  scenario.plan(raw);
  const file = join(mkdtempSync(join(tmpdir(), 'failover-drill-')), 'plan.json');
  writeFileSync(file, JSON.stringify(raw, null, 2));
  return file;
}

/**
 * Runs one scenario: the state machine file that deploys, interpreted by aws-local-stepfunctions,
 * each Task bound to the deployed handler, whose SDK clients talk to a simulated two-region
 * cloud on a virtual clock. Only the AWS transport is simulated. The caller must call
 * `release()` (or use `runDrill`, which does) to give the real clock back.
 */
export async function startDrill(scenario: DrillScenario, options: DrillOptions = {}): Promise<DrillResult> {
  const seed = options.seed ?? 1;
  const planFile = planFileFor(scenario, options.planFile ?? DEFAULT_PLAN_FILE);
  const plan = loadPlanFile(planFile);
  const definition = options.definition
    ? structuredClone(options.definition)
    : JSON.parse(readFileSync(STATE_MACHINE_FILE, 'utf8'));

  // The drill must never reach a real account: static dummy credentials; the orchestrator runs
  // in the region it moves to (the standby unless the scenario says otherwise).
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIADRILLDRILLDRILL0',
    AWS_SECRET_ACCESS_KEY: 'drill-secret-not-a-real-key',
    AWS_REGION: scenario.runsIn === 'primary' ? plan.regions.primary : plan.regions.standby,
    FAILOVER_PLAN_FILE: planFile,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // EMF metrics are log lines for CloudWatch; a drill prints its own timeline instead.
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  logger.setLogLevel('SILENT');

  const virtual = installVirtualClock(DRILL_START, seed);
  const stopListening = options.onTimeline ? onTimeline(options.onTimeline) : () => undefined;
  const release = () => {
    stopListening();
    virtual.uninstall();
  };
  try {
    const t0 = Date.now();
    const ctx: ScenarioContext = { plan, t0 };
    const cloud = new SimulatedCloud({
      plan,
      seed,
      profile: options.profile ?? 'typical',
      ...scenario.cloud(ctx),
    });
    awsClients.reset();
    cloud.attach(awsClients);
    authoritativeDns.reset();
    cloud.attachResolver(authoritativeDns);
    options.onCloud?.(cloud, plan);
    const before = cloud.snapshot();

    const starts = [{ input: scenario.input(ctx), afterMs: 0 }, ...(scenario.alsoStart?.(ctx) ?? [])];
    const crashes = new Map(
      scenario.crashAfter ? [[scenario.crashAfter.state, scenario.crashAfter.times]] : [],
    );
    const names = starts.map((_, index) =>
      index === 0 ? `drill-${scenario.name}-${seed}` : `drill-${scenario.name}-${seed}-${index + 1}`,
    );
    const live = new LiveExecutions();
    const runs = starts.map((start, index) =>
      runExecution(definition, names[index] as string, start, { scenario, crashes, options, live }),
    );
    const operatorLog: string[] = [];
    const operating = playOperators(scenario.operators?.(ctx) ?? [], {
      plan,
      planFile,
      region: process.env.AWS_REGION as string,
      live,
      names,
      log: operatorLog,
    });
    const [executions] = await virtual.runUntilSettled(
      Promise.all([Promise.all(runs), operating]),
      VIRTUAL_LIMIT_MS,
    );
    const first = executions[0] as ExecutionRun;
    return {
      ...first,
      scenario: scenario.name,
      seed,
      before,
      after: cloud.snapshot(),
      cloud,
      executions,
      virtualSeconds: (Date.now() - t0) / 1000,
      operatorLog,
      clock: virtual,
      release,
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** Runs a scenario and gives the real clock back: what the CLI and most tests want. */
export async function runDrill(scenario: DrillScenario, options: DrillOptions = {}): Promise<DrillResult> {
  const result = await startDrill(scenario, options);
  result.release();
  return result;
}

interface ExecutionContext {
  scenario: DrillScenario;
  crashes: Map<string, number>;
  options: DrillOptions;
  /** The executions as Step Functions would describe them, for the operators' commands. */
  live: LiveExecutions;
}

async function runExecution(
  definition: { States: Record<string, never> },
  name: string,
  start: { input: unknown; afterMs: number },
  { scenario, crashes, options, live }: ExecutionContext,
): Promise<ExecutionRun> {
  if (start.afterMs > 0) await new Promise((resolve) => setTimeout(resolve, start.afterMs));
  const startedAt = new Date().toISOString();
  const records: TaskRecord[] = [];
  let report: FailoverReport | null = null;
  let abort: () => void = () => undefined;
  const payloads = new PayloadWatch(() => abort());
  const tasks = bindTasks(definition.States, stepHandlers, {
    payloads,
    onRecord: (record) => {
      records.push(record);
      if (record.functionName !== 'report' || record.outcome.kind !== 'succeeded') return;
      const parsed = failoverReportSchema.safeParse((record.outcome.output as { report?: unknown }).report);
      if (parsed.success) report = parsed.data;
    },
    onCallback: () => approve(scenario),
    crashAfter: (state) => {
      const left = crashes.get(state) ?? 0;
      if (left <= 0) return null;
      crashes.set(state, left - 1);
      const crash = new Error(`${state}: the function crashed after acting (injected)`);
      crash.name = 'Lambda.ServiceException';
      return crash;
    },
  });
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  const execution = machine.run(start.input as never, {
    overrides: { taskResourceLocalHandlers: tasks },
    context: {
      Execution: { Id: drillExecutionArn(name), Name: name, StartTime: startedAt },
      Task: { Token: `drill-task-token-${name}` },
    },
  });
  abort = () => execution.abort();
  live.started({ name, startedAt, input: start.input, records, abort: execution.abort });
  const retries: ExecutionRun['retries'] = [];
  void (async () => {
    for await (const log of execution.eventLogs) {
      options.onEventLog?.(name, log);
      if (log.type === 'StateExited') payloads.check(log.state.name, 'output', log.state.output ?? null);
      if (log.type !== 'StateRetried') continue;
      const retry = {
        state: log.state.name,
        error: log.retry.retrier.ErrorEquals.join('|'),
        attempt: log.retry.attempt,
      };
      retries.push(retry);
      options.onRetry?.(retry.state, retry.error, retry.attempt);
    }
  })();
  let status: ExecutionRun['status'] = 'SUCCEEDED';
  let error: ExecutionRun['error'] = null;
  try {
    await execution.result;
  } catch (thrown) {
    if (thrown instanceof ExecutionAbortedError && payloads.breach) {
      // Not a stop: Step Functions failed the execution for an oversized payload.
      status = 'FAILED';
      error = dataLimitError(payloads.breach);
    } else if (thrown instanceof ExecutionAbortedError) {
      status = 'ABORTED';
      error = live.stopError(name);
    } else {
      if (!(thrown instanceof ExecutionError)) throw thrown;
      const cause = thrown.cause as { name?: string; message?: string } | undefined;
      status = 'FAILED';
      error = { name: cause?.name ?? 'Error', cause: cause?.message ?? thrown.message };
    }
  }
  if (status !== 'ABORTED') live.ended(name, status, error);
  const stoppedAt = live.get(name)?.stoppedAt ?? undefined;
  const history = toHistoryEvents(records, {
    name,
    startedAt,
    status,
    error,
    report,
    input: start.input,
    ...(status === 'ABORTED' && stoppedAt ? { stoppedAt } : {}),
  });
  // A stopped execution never reaches its Report step: its report is the one `failover stop`
  // prints, rebuilt from the history.
  if (status === 'ABORTED') {
    report = rebuildReport(history, {
      name,
      status,
      startDate: new Date(startedAt),
      ...(stoppedAt ? { stopDate: new Date(stoppedAt) } : {}),
      ...(error ? { error: error.name, cause: error.cause } : {}),
    });
  }
  return {
    name,
    startedAt,
    status,
    error,
    report,
    retries,
    records,
    history,
    largestPayloadBytes: payloads.largestBytes,
  };
}

/**
 * `$$.Execution.Id` as Step Functions would give it: the state machine serverless.yml deploys
 * (failover-<stage>, dev for the drill's plan) in the region the drill's orchestrator runs in, in
 * the account of the plan's resources.
 */
export function drillExecutionArn(name: string): string {
  const plan = loadPlanFile(process.env.FAILOVER_PLAN_FILE ?? DEFAULT_PLAN_FILE);
  const account = databasesOf(plan)[0]?.members[plan.regions.primary]?.split(':')[4] ?? '123456789012';
  return `arn:aws:states:${process.env.AWS_REGION}:${account}:execution:failover-dev:${name}`;
}

/** Plays the human who holds the approval task token. */
async function approve(scenario: DrillScenario): Promise<unknown> {
  const approver = scenario.approver;
  if (!approver || approver.decision === 'ignore') return new Promise(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, approver.afterMs));
  if (approver.decision === 'approve') return { approved: true, by: approver.by, reason: 'drill approver' };
  const rejection = new Error(`rejected by ${approver.by}: ${approver.reason ?? 'drill approver said no'}`);
  rejection.name = 'ApprovalRejected';
  throw rejection;
}
