import type { DetailType } from '../events/detail.js';
import type { HookPoint } from '../plan/hooks.js';
import type { FailoverPlan } from '../plan/schema.js';
import type { HookEntry } from '../report/hooks.js';
import type { Outcome } from '../report/types.js';
import type { SimOptions } from '../sim/cloud.js';

export interface ScenarioContext {
  plan: FailoverPlan;
  /** Virtual time the execution starts (epoch ms). */
  t0: number;
}

export interface DrillScenario {
  name: string;
  summary: string;
  /** The execution input: an EventBridge alarm event or an operator's start input. */
  input: (ctx: ScenarioContext) => unknown;
  /** The simulated cloud's incidents and faults, relative to t0. */
  cloud: (ctx: ScenarioContext) => Omit<SimOptions, 'plan' | 'seed'>;
  /** Changes to the example plan for this scenario (approval, drain, ...), on its raw JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: raw plan JSON, validated by the schema once written
  plan?: (raw: any) => void;
  /** Further executions started on the same cloud: a duplicate alarm, a racing manual start. */
  alsoStart?: (ctx: ScenarioContext) => { input: unknown; afterMs: number }[];
  /** On-call at the command line during the drill: `failover stop`, `failover unlock`, the console's Stop. */
  operators?: (ctx: ScenarioContext) => OperatorAction[];
  /** Who holds the approval task token, and what they do with it. */
  approver?: { decision: 'approve' | 'reject' | 'ignore'; afterMs: number; by: string; reason?: string };
  /** The region whose orchestrator runs the drill (the region it moves to); default the standby. */
  runsIn?: 'primary' | 'standby';
  /** Fault injection: the named Task state's function crashes after acting, this many times. */
  crashAfter?: { state: string; times: number };
  /**
   * What a correct orchestrator does; drills and tests check the simulated cloud against it.
   * Absent for generated cases (npm run chaos), which are held to the invariants only.
   */
  expected?: {
    outcome: Outcome;
    /** Where every database's writer ends; split: some moved, some did not (plans with several databases). */
    writer: 'source' | 'target' | 'split';
    others?: Outcome[];
    /** What the first execution's report says it did after a failure, when it matters. */
    /** `complete` unset: either (it depends on which of promotion and scale-up ends first). */
    recovery?: { kind: 'none' | 'rolled-back' | 'rolled-forward'; complete?: boolean };
    /**
     * The executions start within a second or two of each other, so either may take the lock
     * first: `outcome` and `others` are then compared as a set, not in start order.
     */
    racing?: boolean;
    /** What the first execution's report says came of each plan hook named here (src/report/hooks.ts). */
    hooks?: Partial<Record<HookPoint, HookEntry['status']>>;
    /**
     * The EventBridge detail-types the first execution publishes, in order, each once (retries
     * dedupe on eventId). Default: "Failover Started", then the outcome's (src/drill/expectations.ts).
     */
    events?: readonly DetailType[];
  };
}

/**
 * One operator action, `afterMs` after the drill starts. stop and unlock run the CLI's own
 * commands (src/drill/operators.ts); console-stop is StopExecution alone, which leaves the lock.
 */
export interface OperatorAction {
  command: 'stop' | 'unlock' | 'console-stop';
  afterMs: number;
  /** Which execution to stop, in start order (0: the scenario's input); unused by unlock. */
  execution?: number;
  by: string;
  reason: string;
}

export const MINUTE = 60_000;

/** "2019-10-02T17:04:40.989+0000": the timestamp format CloudWatch puts in alarm events. */
function alarmTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** An EventBridge "CloudWatch Alarm State Change" event as CloudWatch sends it (OK -> ALARM). */
export function alarmEvent(ctx: ScenarioContext, options: { at?: number; alarmName?: string } = {}): unknown {
  const alarmName = options.alarmName ?? ctx.plan.triggers.alarmNames[0] ?? 'alarm';
  const region = ctx.plan.regions.standby;
  const changedAt = (options.at ?? ctx.t0) - 5_000;
  return {
    version: '0',
    id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '123456789012',
    time: new Date(ctx.t0).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [`arn:aws:cloudwatch:${region}:123456789012:alarm:${alarmName}`],
    detail: {
      alarmName,
      configuration: { description: `${ctx.plan.regions.primary} unhealthy as seen from ${region}` },
      previousState: {
        value: 'OK',
        reason: 'Threshold Crossed',
        timestamp: alarmTimestamp(changedAt - 30 * MINUTE),
      },
      state: {
        value: 'ALARM',
        reason:
          'Threshold Crossed: 3 out of the last 3 datapoints [0.0 (22/11/26 02:58:00), 0.0 (22/11/26 02:57:00), 0.0 (22/11/26 02:56:00)] was less than the threshold (90.0) (minimum 3 datapoints for OK -> ALARM transition).',
        reasonData:
          '{"version":"1.0","statistic":"Average","period":60,"recentDatapoints":[0.0,0.0,0.0],"threshold":90.0}',
        timestamp: alarmTimestamp(changedAt),
      },
    },
  };
}

export const primaryDown = (ctx: ScenarioContext, fromMs: number, toMs?: number) => ({
  region: ctx.plan.regions.primary,
  kind: 'service-down' as const,
  from: ctx.t0 + fromMs,
  ...(toMs === undefined ? {} : { to: ctx.t0 + toMs }),
});

/** An operator's start input (console contract v1). */
export function startInput(
  ctx: ScenarioContext,
  mode: 'manual' | 'planned',
  options: { to?: 'primary' | 'standby'; dryRun?: boolean; reason?: string } = {},
): unknown {
  return {
    version: 1,
    mode,
    targetRegion: options.to === 'primary' ? ctx.plan.regions.primary : ctx.plan.regions.standby,
    reason: options.reason ?? `${mode} drill`,
    requestedBy: 'drill@example.com',
    ...(options.dryRun ? { dryRun: true } : {}),
  };
}

/**
 * The example plan with every record moving by record-upsert (Route 53's control plane), for the
 * scenarios about that path: its faults, its slow sync, its refusals.
 */
// biome-ignore lint/suspicious/noExplicitAny: raw plan JSON, validated by the schema once written
export function withRecordUpsert(raw: any): void {
  for (const record of raw.dns.records) record.shift = { mode: 'record-upsert' };
  delete raw.dns.routingControl;
}

/** Route 53 health check ids of the health-check variant (one per region's record). */
export const HEALTH_CHECK_IDS = {
  primary: '0d1c2b3a-4f5e-4d6c-8b7a-9f8e7d6c5b4a',
  standby: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
};

/**
 * The example plan with failover records (PRIMARY in the primary region) whose own health checks
 * move them: the orchestrator changes no DNS, it waits for the answers.
 */
// biome-ignore lint/suspicious/noExplicitAny: raw plan JSON, validated by the schema once written
export function withHealthChecks(raw: any): void {
  const { primary, standby } = raw.regions;
  for (const record of raw.dns.records) {
    record.routing = 'failover';
    record.shift = {
      mode: 'health-check',
      healthCheckIds: { [primary]: HEALTH_CHECK_IDS.primary, [standby]: HEALTH_CHECK_IDS.standby },
    };
  }
  delete raw.dns.routingControl;
}
