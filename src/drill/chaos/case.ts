import * as z from 'zod';
import { LATENCY_PROFILES } from '../../sim/latencies.js';

/**
 * A chaos case: one random fault campaign run, as plain JSON so it can be saved, shrunk by
 * fast-check, and replayed with `failover drill --case FILE`. Regions are named by their role in
 * the plan ('primary', 'standby'), times in seconds relative to the drill's start (t0), so a
 * case does not depend on the plan's region names or on the drill's start instant.
 * src/drill/chaos/scenario.ts turns it into a DrillScenario.
 */

const role = z.enum(['primary', 'standby']);
const seconds = z.number().int();

/** The SDK commands the orchestrator sends (without `Command`): what a fault rule can hit. */
export const ORCHESTRATOR_COMMANDS = [
  'GetMetricData',
  'DescribeGlobalClusters',
  'DescribeDBClusters',
  'FailoverGlobalCluster',
  'SwitchoverGlobalCluster',
  'RemoveFromGlobalCluster',
  'DescribeServices',
  'UpdateService',
  'DescribeScalableTargets',
  'RegisterScalableTarget',
  'ListResourceRecordSets',
  'ChangeResourceRecordSets',
  'GetChange',
  'UpdateRoutingControlStates',
  'GetRoutingControlState',
  'GetItem',
  'UpdateItem',
  'DeleteItem',
  'Publish',
  // No longer sent (the report's metrics are EMF log lines); kept so saved cases still parse.
  'PutMetricData',
  'PutEvents',
] as const;

/** Route 53's API has one endpoint (us-east-1): a fault rule on it names no region. */
export const GLOBAL_COMMANDS: ReadonlySet<string> = new Set([
  'ListResourceRecordSets',
  'ChangeResourceRecordSets',
  'GetChange',
]);

/** Task states that change the cloud: a crash right after one acted is the interesting crash. */
export const MUTATING_STATES = [
  'FenceOldPrimary',
  'PromoteDatabase',
  'ScaleTarget',
  'ShiftTraffic',
  'DetachTarget',
  'DrainTraffic',
] as const;

export const startSchema = z.discriminatedUnion('kind', [
  /** An EventBridge alarm event: an automatic failover towards the standby. */
  z.strictObject({ kind: z.literal('alarm') }),
  z.strictObject({ kind: z.literal('manual') }),
  z.strictObject({ kind: z.literal('planned') }),
  z.strictObject({ kind: z.literal('dry-run'), mode: z.enum(['manual', 'planned']) }),
  /** A planned switchover back to the primary; the cloud starts as after a completed failover. */
  z.strictObject({ kind: z.literal('failback'), oldPrimarySync: z.enum(['connected', 'pending-resync']) }),
]);

export const chaosCaseSchema = z.strictObject({
  version: z.literal(1),
  /** The drill's seed: latencies, identifiers, retry jitter. */
  seed: z.number().int().min(0),
  /** The simulated cloud's latency profile (src/sim/latencies.ts). */
  latencies: z.enum(LATENCY_PROFILES).default('typical'),
  start: startSchema,
  incidents: z.array(
    z.strictObject({
      region: role,
      kind: z.enum(['service-down', 'apis-unreachable']),
      fromSec: seconds,
      /** null: the incident does not end. */
      toSec: seconds.nullable(),
    }),
  ),
  faults: z.array(
    z.strictObject({
      command: z.enum(ORCHESTRATOR_COMMANDS),
      /** null: any region. */
      region: role.nullable(),
      /** lost-response: the call is applied and its answer lost (the caller must read back). */
      error: z.enum(['throttle', 'server-error', 'timeout', 'lost-response']),
      count: z.number().int().min(1),
      /** null: from the start. */
      fromSec: seconds.nullable(),
    }),
  ),
  crashAfter: z.strictObject({ state: z.enum(MUTATING_STATES), times: z.number().int().min(1) }).nullable(),
  /** Further executions on the same cloud (a duplicate alarm, a racing operator). */
  alsoStart: z.array(
    z.strictObject({
      kind: z.enum(['alarm', 'manual', 'planned', 'dry-run']),
      afterSec: z.number().int().min(0),
    }),
  ),
  route53SyncSec: z.number().int().min(1).nullable(),
  ecsCapacity: z.strictObject({ region: role, tasks: z.number().int().min(0) }).nullable(),
  promotionStuck: z.boolean(),
  /** The plan makes alarm-started failovers wait for a human, who answers (or not). */
  approval: z
    .strictObject({
      automatic: z.enum(['wait', 'wait-then-proceed']),
      timeoutSeconds: z.number().int().min(60),
      decision: z.enum(['approve', 'reject', 'ignore']),
      afterSec: z.number().int().min(0),
    })
    .nullable(),
  /** A planned move drains gradually (the plan then writes through the global writer endpoint). */
  drain: z
    .strictObject({
      sourceWeights: z.array(z.number().int().min(1).max(99)).min(1),
      intervalSeconds: z.number().int().min(10),
    })
    .nullable(),
  /**
   * How the plan's records move: through ARC routing controls (the example plan's data-plane
   * path) or by Route 53 record changes (the control plane). A drain always uses record changes.
   */
  shift: z.enum(['routing-control', 'record-upsert']).default('routing-control'),
  headlessStandby: z.boolean(),
  rpoLagMs: z.number().int().min(0).nullable(),
  /** Endpoints that stop answering for a while; the callers' own timeouts end each request. */
  blackholes: z
    .array(
      z.strictObject({
        region: role,
        /** null: every API endpoint in the region. */
        service: z.enum(['rds', 'ecs', 'autoscaling', 'cloudwatch', 'dynamodb', 'sns']).nullable(),
        mode: z.enum(['no-connection', 'no-answer']),
        fromSec: seconds,
        toSec: seconds.nullable(),
      }),
    )
    .default([]),
  /** A rolling minor upgrade half done: the standby runs a newer engine than the primary. */
  engineMismatch: z.boolean().default(false),
  /**
   * The plan's Aurora global clusters: the example's one, or three (src/drill/scenarios/
   * databases.ts). With three, the Aurora troubles of the case (a headless secondary, engine
   * versions apart, a stuck or slow promotion) hit the last database only: a mixed outcome.
   */
  databases: z.union([z.literal(1), z.literal(3)]).default(1),
  /** A managed promotion takes this long once past pending (the slow end users report). */
  promotionSec: z.number().int().min(1).nullable().default(null),
  /** DescribeGlobalClusters shows each change this late (eventual consistency). */
  globalReadLagSec: z.number().int().min(0).nullable().default(null),
  /** Something that would scale orders-api back up: a scheduled action or a load surge, in either region. */
  scalerPressure: z
    .strictObject({
      region: role,
      kind: z.enum(['scheduled-action', 'load-surge']),
      atSec: seconds,
      tasks: z.number().int().min(1).max(20),
    })
    .nullable()
    .default(null),
});
export type ChaosCase = z.infer<typeof chaosCaseSchema>;

/**
 * Reads a case from a file's JSON: the case itself, or a saved violation (`{ case: ... }`, as
 * npm run chaos writes them). Throws with every bad field named.
 */
export function parseChaosCase(json: unknown): ChaosCase {
  const raw =
    json !== null && typeof json === 'object' && 'case' in json ? (json as { case: unknown }).case : json;
  const parsed = chaosCaseSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(case)'}: ${i.message}`);
    throw new Error(`not a chaos case: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** One line: what the case does, for progress output and the drill's header. */
export function describeCase(c: ChaosCase): string {
  const start = c.start.kind === 'dry-run' ? `dry-run ${c.start.mode}` : c.start.kind;
  const parts = [
    ...(c.latencies === 'typical' ? [] : [`${c.latencies} latencies`]),
    c.start.kind === 'failback' ? `failback (old primary ${c.start.oldPrimarySync})` : start,
    ...c.incidents.map(
      (i) => `${i.kind} ${i.region} ${i.fromSec}s..${i.toSec === null ? '' : `${i.toSec}s`}`,
    ),
    ...c.faults.map(
      (f) =>
        `${f.command}${f.region ? `@${f.region}` : ''} ${f.error} x${f.count}${f.fromSec === null ? '' : ` from ${f.fromSec}s`}`,
    ),
    ...(c.crashAfter ? [`crash after ${c.crashAfter.state} x${c.crashAfter.times}`] : []),
    ...c.alsoStart.map((s) => `also ${s.kind} at +${s.afterSec}s`),
    ...(c.route53SyncSec === null ? [] : [`Route 53 sync ${c.route53SyncSec}s`]),
    ...(c.ecsCapacity ? [`${c.ecsCapacity.region} ECS capacity ${c.ecsCapacity.tasks}`] : []),
    ...(c.promotionStuck ? ['promotion stuck'] : []),
    ...(c.approval
      ? [`approval ${c.approval.automatic} ${c.approval.timeoutSeconds}s: ${c.approval.decision}`]
      : []),
    ...(c.drain ? [`drain ${c.drain.sourceWeights.join('/')} every ${c.drain.intervalSeconds}s`] : []),
    ...(c.shift === 'record-upsert' ? ['records move by Route 53 changes'] : []),
    ...(c.headlessStandby ? ['headless secondary'] : []),
    ...(c.rpoLagMs === null ? [] : [`RPO lag ${c.rpoLagMs} ms`]),
    ...c.blackholes.map(
      (b) =>
        `${b.service ?? 'every'} endpoint ${b.region} ${b.mode} ${b.fromSec}s..${b.toSec === null ? '' : `${b.toSec}s`}`,
    ),
    ...(c.engineMismatch ? ['engine versions differ (rolling upgrade)'] : []),
    ...(c.databases > 1 ? [`${c.databases} databases (Aurora troubles on the last)`] : []),
    ...(c.promotionSec === null ? [] : [`promotion ${c.promotionSec}s`]),
    ...(c.globalReadLagSec === null ? [] : [`global cluster reads ${c.globalReadLagSec}s behind`]),
    ...(c.scalerPressure
      ? [
          `${c.scalerPressure.kind} to ${c.scalerPressure.tasks} tasks in ${c.scalerPressure.region} at ${c.scalerPressure.atSec}s`,
        ]
      : []),
  ];
  return parts.join('; ');
}
