import './polyfill.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { awsClients } from '../aws/clients.js';
import { stepHandlers } from '../handlers/index.js';
import { loadPlanFile } from '../plan/load.js';
import { type FailoverReport, failoverReportSchema } from '../report/types.js';
import { type CloudSnapshot, SimulatedCloud } from '../sim/cloud.js';
import { logger, onTimeline } from '../timeline/emit.js';
import type { TimelineEvent } from '../timeline/types.js';
import { bindTasks } from './bindings.js';
import { installVirtualClock } from './clock.js';
import type { DrillScenario } from './scenarios.js';

export const STATE_MACHINE_FILE = fileURLToPath(
  new URL('../../statemachines/failover.asl.json', import.meta.url),
);
export const DEFAULT_PLAN_FILE = fileURLToPath(new URL('../../plans/dev.json', import.meta.url));
/** Drills start at a fixed virtual instant so the same scenario always prints the same times. */
export const DRILL_START = new Date('2026-11-22T03:00:00.000Z');

export interface DrillOptions {
  seed?: number;
  planFile?: string;
  /** Called with each step's timeline events as the step finishes (virtual time). */
  onTimeline?: (events: readonly TimelineEvent[]) => void;
  /** Called when the state machine retries a state. */
  onRetry?: (state: string, error: string, attempt: number) => void;
}

export interface DrillResult {
  scenario: string;
  seed: number;
  status: 'SUCCEEDED' | 'FAILED';
  /** Error name and cause of a failed execution, as Step Functions would show them. */
  error: { name: string; cause: string } | null;
  report: FailoverReport | null;
  before: CloudSnapshot;
  after: CloudSnapshot;
  cloud: SimulatedCloud;
  retries: { state: string; error: string; attempt: number }[];
  virtualSeconds: number;
}

/**
 * Runs one scenario: the state machine file that deploys, interpreted by aws-local-stepfunctions,
 * each Task bound to the deployed handler, whose SDK clients talk to a simulated two-region
 * cloud on a virtual clock. Only the AWS transport is simulated.
 */
export async function runDrill(scenario: DrillScenario, options: DrillOptions = {}): Promise<DrillResult> {
  const seed = options.seed ?? 1;
  const planFile = options.planFile ?? DEFAULT_PLAN_FILE;
  const plan = loadPlanFile(planFile);
  const definition = JSON.parse(readFileSync(STATE_MACHINE_FILE, 'utf8'));

  // The drill must never reach a real account: static dummy credentials, the standby region.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIADRILLDRILLDRILL0',
    AWS_SECRET_ACCESS_KEY: 'drill-secret-not-a-real-key',
    AWS_REGION: plan.regions.standby,
    FAILOVER_PLAN_FILE: planFile,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  logger.setLogLevel('SILENT');

  const virtual = installVirtualClock(DRILL_START, seed);
  const stopListening = options.onTimeline ? onTimeline(options.onTimeline) : () => undefined;
  try {
    const t0 = Date.now();
    const ctx = { plan, t0 };
    const cloud = new SimulatedCloud({ plan, seed, ...scenario.cloud(ctx) });
    awsClients.reset();
    cloud.attach(awsClients);
    const before = cloud.snapshot();

    let report: FailoverReport | null = null;
    const tasks = bindTasks(definition.States, stepHandlers, (functionName, output) => {
      if (functionName !== 'report') return;
      const parsed = failoverReportSchema.safeParse((output as { report?: unknown }).report);
      if (parsed.success) report = parsed.data;
    });
    const machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
    const executionName = `drill-${scenario.name}-${seed}`;
    const execution = machine.run(scenario.input(ctx) as never, {
      overrides: { taskResourceLocalHandlers: tasks },
      context: { Execution: { Name: executionName, StartTime: new Date(t0).toISOString() } },
    });
    const retries: DrillResult['retries'] = [];
    void (async () => {
      for await (const log of execution.eventLogs) {
        if (log.type === 'StateRetried') {
          const retry = {
            state: log.state.name,
            error: log.retry.retrier.ErrorEquals.join('|'),
            attempt: log.retry.attempt,
          };
          retries.push(retry);
          options.onRetry?.(retry.state, retry.error, retry.attempt);
        }
      }
    })();

    let status: DrillResult['status'] = 'SUCCEEDED';
    let error: DrillResult['error'] = null;
    try {
      await virtual.runUntilSettled(execution.result, 4 * 3600_000);
    } catch (thrown) {
      if (!(thrown instanceof ExecutionError)) throw thrown;
      status = 'FAILED';
      const cause = thrown.cause as { name?: string; message?: string } | undefined;
      error = { name: cause?.name ?? 'Error', cause: cause?.message ?? thrown.message };
    }
    return {
      scenario: scenario.name,
      seed,
      status,
      error,
      report,
      before,
      after: cloud.snapshot(),
      cloud,
      retries,
      virtualSeconds: (Date.now() - t0) / 1000,
    };
  } finally {
    stopListening();
    virtual.uninstall();
  }
}
