import type { FailoverPlan } from '../plan/schema.js';
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
  /** Who holds the approval task token, and what they do with it. */
  approver?: { decision: 'approve' | 'reject' | 'ignore'; afterMs: number; by: string; reason?: string };
  /** Fault injection: the named Task state's function crashes after acting, this many times. */
  crashAfter?: { state: string; times: number };
  /** What a correct orchestrator does; drills and tests check the simulated cloud against it. */
  expected: { outcome: Outcome; writer: 'source' | 'target'; others?: Outcome[] };
}

const MINUTE = 60_000;

/** "2019-10-02T17:04:40.989+0000": the timestamp format CloudWatch puts in alarm events. */
function alarmTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** An EventBridge "CloudWatch Alarm State Change" event as CloudWatch sends it (OK -> ALARM). */
export function alarmEvent(
  ctx: ScenarioContext,
  alarmName = ctx.plan.triggers.alarmNames[0] ?? 'alarm',
): unknown {
  const region = ctx.plan.regions.standby;
  const changedAt = ctx.t0 - 5_000;
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

const primaryDown = (ctx: ScenarioContext, fromMs: number, toMs?: number) => ({
  region: ctx.plan.regions.primary,
  kind: 'service-down' as const,
  from: ctx.t0 + fromMs,
  ...(toMs === undefined ? {} : { to: ctx.t0 + toMs }),
});

export const SCENARIOS: readonly DrillScenario[] = [
  {
    name: 'region-outage',
    summary: 'The primary region stops serving; its APIs still answer. Unplanned failover to the standby.',
    input: alarmEvent,
    cloud: (ctx) => ({ incidents: [primaryDown(ctx, -6 * MINUTE)] }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'transient-blip',
    summary: 'The primary fails for 90 s and recovers. The alarm fires; nothing must move.',
    input: alarmEvent,
    cloud: (ctx) => ({ incidents: [primaryDown(ctx, -180_000, -90_000)] }),
    expected: { outcome: 'no-action', writer: 'source' },
  },
  {
    name: 'planned-switchover',
    summary: 'Both regions healthy; an operator moves the service to the standby with no data loss.',
    input: (ctx) => ({
      version: 1,
      mode: 'planned',
      targetRegion: ctx.plan.regions.standby,
      reason: 'quarterly failover drill',
      requestedBy: 'drill@example.com',
    }),
    cloud: () => ({}),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'region-unreachable',
    summary:
      "us-east-1's service and APIs are down, Route 53's control plane with them: fencing is unconfirmed, the database and compute move, and the DNS shift stops with the ARC instruction.",
    input: alarmEvent,
    cloud: (ctx) => ({
      incidents: [
        primaryDown(ctx, -6 * MINUTE),
        { region: ctx.plan.regions.primary, kind: 'apis-unreachable', from: ctx.t0 - 6 * MINUTE },
      ],
    }),
    expected: { outcome: 'failed', writer: 'target' },
  },
  {
    name: 'throttled-promotion',
    summary: 'RDS throttles the failover call five times: the SDK and then the state machine retry it.',
    input: alarmEvent,
    cloud: (ctx) => ({
      incidents: [primaryDown(ctx, -6 * MINUTE)],
      faults: [{ command: 'FailoverGlobalCluster', error: 'throttle', count: 5 }],
    }),
    expected: { outcome: 'succeeded', writer: 'target' },
  },
  {
    name: 'promotion-refused',
    summary:
      'RDS refuses the failover (invalid state): the execution reports and fails; traffic is not moved.',
    input: alarmEvent,
    cloud: (ctx) => ({
      incidents: [primaryDown(ctx, -6 * MINUTE)],
      faults: [
        {
          command: 'FailoverGlobalCluster',
          error: {
            name: 'InvalidGlobalClusterStateFault',
            message: 'The global cluster orders-global is not in a valid state for failover.',
            fault: 'client',
            status: 400,
          },
          count: 1,
        },
      ],
    }),
    expected: { outcome: 'failed', writer: 'source' },
  },
  {
    name: 'headless-standby',
    summary: 'The standby Aurora cluster has no DB instance: readiness stops the failover before any change.',
    input: alarmEvent,
    cloud: (ctx) => ({ incidents: [primaryDown(ctx, -6 * MINUTE)], headlessStandby: true }),
    expected: { outcome: 'failed', writer: 'source' },
  },
];

export function findScenario(name: string): DrillScenario {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) {
    throw new Error(`unknown scenario "${name}"; scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  return scenario;
}
