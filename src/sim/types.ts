import type { FailoverPlan } from '../plan/schema.js';
import type { SafetyRulePlan } from '../plan/traffic.js';
import type { ServiceName } from './errors.js';
import type { EventBridgeFaults } from './eventbridge.js';
import type { SimFunction } from './lambda.js';
import type { LatencyProfile } from './latencies.js';
import type { RateLimitName, RateLimitSetting } from './rate-limits.js';
import type { QuotaOptions } from './service-quotas.js';

/** A regional failure scripted into a drill. */
export interface Incident {
  region: string;
  /**
   * service-down: the workload in `region` fails (its signals go bad, switchovers out of or into
   * it are refused, Route 53 health checks on it fail); the AWS APIs still answer.
   * apis-unreachable: every API call whose endpoint is in `region` hangs and times out (Route 53's
   * control plane counts as us-east-1; a Route 53 ARC cluster endpoint counts in its own region,
   * plan region or not). control-plane-silent: only Route 53's control plane hangs (`region` is
   * us-east-1, where it is served); every other API there answers and DNS keeps answering.
   * Both take no connection (no TCP answer), so the calling client's own timeouts end each
   * attempt (src/sim/endpoints.ts); EndpointBlackhole scopes the same to one endpoint and time.
   */
  kind: 'service-down' | 'apis-unreachable' | 'control-plane-silent';
  /** Epoch ms; may be before the cloud was created (the failure started earlier). */
  from: number;
  /** Epoch ms; open-ended when absent. */
  to?: number;
}

/** Makes the next `count` matching calls fail, whatever the state of the cloud. */
export interface FaultRule {
  /** SDK command name without the `Command` suffix, e.g. 'FailoverGlobalCluster'. */
  command: string;
  /** The endpoint's region; any region when absent. */
  region?: string;
  error:
    | 'throttle'
    | 'server-error'
    /** The request is accepted and never answered (nor applied): the client's requestTimeout ends it. */
    | 'timeout'
    /**
     * The service acts on the call (the cloud changes, as with 'ok'), then the answer never
     * reaches the caller: a TimeoutError with no HTTP response, which the SDK retries. What a
     * connection dropped after the request landed looks like; the caller cannot tell it from a
     * request that never arrived, so it must read back before it acts again.
     */
    | 'lost-response'
    | { name: string; message: string; fault: 'client' | 'server'; status: number };
  /** How many calls fail. Each SDK retry attempt is a call and consumes one. */
  count: number;
  /** Epoch ms before which the rule does not match. */
  from?: number;
}

/**
 * One API endpoint that stops answering the orchestrator for a while (its network path is cut),
 * while the service behind it carries on: Aurora still promotes, ECS still runs tasks. How each
 * request ends is up to the calling client's own timeouts (src/sim/endpoints.ts).
 */
export interface EndpointBlackhole {
  /** The endpoint's region (us-east-1 for Route 53's control plane; an ARC cluster endpoint's own region). */
  region: string;
  /** One service's endpoint there; every API endpoint in the region when absent. */
  service?: ServiceName;
  /**
   * no-connection (default): no TCP answer, the client's connectionTimeout ends each new
   * connection. no-answer: connections are accepted and requests never answered.
   * Either way a request on a connection the client had pooled before is a no-answer request.
   */
  mode?: 'no-connection' | 'no-answer';
  /** Epoch ms; a request that starts inside [from, to) goes unanswered (all of it: modelling choice). */
  from: number;
  /** Epoch ms; open-ended when absent. */
  to?: number;
}

export interface SimOptions {
  /** Resources are built from the plan. */
  plan: FailoverPlan;
  /** Seeds every latency, identifier and metric jitter: the same seed gives the same drill. */
  seed: number;
  incidents?: Incident[];
  faults?: FaultRule[];
  /** Lambda functions beside the default world's (src/sim/lambda.ts DEFAULT_FUNCTIONS); one of the same name replaces it. */
  lambdaFunctions?: SimFunction[];
  /** EventBridge entries answered as failed in a 200 answer (src/sim/eventbridge.ts). */
  eventBridge?: EventBridgeFaults;
  /** Endpoints that stop answering for a while (src/sim/endpoints.ts). */
  blackholes?: EndpointBlackhole[];
  /** Which latencies the cloud draws from (src/sim/latencies.ts); default 'typical'. */
  profile?: LatencyProfile;
  /**
   * AWS's API request rates (src/sim/rate-limits.ts): 'aws' (default) throttles as the table
   * says, 'none' never throttles (scripted faults still do), or the table with some entries
   * changed or switched off.
   */
  rateLimits?: RateLimitSetting;
  /** Steady Aurora global replication lag in ms (default 400). */
  rpoLagMs?: number;
  /** Initial desiredCount of every ECS service in the standby region (default 1). */
  standbyDesired?: number;
  /**
   * The secondary Aurora cluster (the standby's; the primary's when `initialWriter` is 'standby')
   * has no DB instance, so it cannot be promoted.
   */
  headlessStandby?: boolean;
  /** DynamoDB tables that exist from the start in each plan region (default ['failover-locks']). */
  tables?: (string | SimTable)[];
  /**
   * Which region the world starts serving from (default 'primary'). 'standby' starts as after a
   * completed failover, for failback drills: the standby's cluster is the global writer, its ECS
   * services run at activeCount, the primary's are at 0 (autoscaling minimum 0), DNS points at
   * the standby. `standbyDesired` does not apply then.
   */
  initialWriter?: 'primary' | 'standby';
  /**
   * With initialWriter 'standby': the primary's member SynchronizationStatus (default 'connected').
   * 'pending-resync' is the state an unplanned failover leaves behind: no RPO lag is reported for
   * it and a switchover into it is refused until Aurora has rebuilt it.
   */
  oldPrimarySync?: 'connected' | 'pending-resync';
  /** Overrides LATENCIES.auroraRebuild: how long Aurora takes to rebuild an old primary, in ms. */
  rebuildAfterMs?: number;
  /** FailoverGlobalCluster and SwitchoverGlobalCluster start but never finish (stuck failing-over / switching-over). */
  promotionStuck?: boolean;
  /**
   * Aurora engine version of each region's member cluster (default 16.6 for both): a rolling
   * minor upgrade upgrades the secondaries first (Aurora User Guide, upgrading a global
   * database), so for a while the standby runs a newer version than the primary, and managed
   * failovers and switchovers are refused.
   */
  engineVersions?: { primary?: string; standby?: string };
  /**
   * A plan with several databases: what differs for one of them, by its globalClusterIdentifier
   * (the options above apply to every database, these replace them for that one): one headless
   * secondary, one cluster mid-upgrade, one stuck promotion among several.
   */
  databaseOverrides?: Record<string, DatabaseOverrides>;
  /**
   * Every change to the global cluster (a failover or switchover accepted or finished, a member
   * removed) shows in DescribeGlobalClusters exactly this long after it happened, instead of the
   * drawn LATENCIES.auroraGlobalReadLag: eventual consistency, rehearsed at a chosen length.
   */
  globalClusterReadLagMs?: number;
  /** Overrides the drawn LATENCIES.auroraPromotion: how long a managed promotion takes once past pending, in ms. */
  promotionMs?: number;
  /** Per region, the most ECS tasks that can run across all services (capacity, quotas); unlimited when absent. */
  ecsCapacity?: Record<string, number>;
  /**
   * The Fargate On-Demand vCPU quota, other workloads' usage and the task cpu (src/sim/
   * service-quotas.ts): quota drift rehearsed. A quota set for a region also caps the tasks ECS
   * places there. Fault GetServiceQuota (FaultRule) for a refused or throttled quota read.
   */
  quotas?: QuotaOptions;
  /**
   * One-time Application Auto Scaling scheduled actions on autoscaled plan services (src/sim/
   * autoscaling.ts): at `at` they set MinCapacity/MaxCapacity, unless ScheduledScalingSuspended.
   */
  scheduledActions?: SimScheduledAction[];
  /**
   * Load on autoscaled plan services other than the default (the plan's activeCount when a region
   * gets all the traffic): the target tracking policy scales on it (src/sim/autoscaling.ts).
   */
  ecsDemand?: EcsDemand[];
  /**
   * The plan's signals have no datapoints for periods starting in [from, to) read in `region`
   * (any region when absent; from/to open-ended when absent): a stopped canary, a metric not
   * published. GetMetricData still answers Complete, with empty Timestamps and Values.
   */
  metricsMissing?: { region?: string; from?: number; to?: number }[];
  /** Every Route 53 change takes exactly this long to reach INSYNC (slow propagation). */
  route53SyncMs?: number;
  /**
   * The Route 53 ARC cluster of the plan's routing-control records: extra safety rules the plan's
   * copy does not list (the cluster has the plan's own rules too), and starting states (default:
   * every control On, or when `initialWriter` is 'standby' the primary's controls Off).
   */
  arc?: { extraSafetyRules?: SafetyRulePlan[]; initialStates?: Record<string, 'On' | 'Off'> };
}

/**
 * A DynamoDB table's name and key schema; a plain name has the lock table's schema from
 * serverless.yml: partition key `plan` (S), no sort key.
 */
export interface SimTable {
  name: string;
  partitionKey?: KeyAttribute;
  sortKey?: KeyAttribute;
}

export interface KeyAttribute {
  name: string;
  type: 'S' | 'N' | 'B';
}

/** One API call as the simulated endpoint saw it; SDK retries show as separate calls. */
export interface ApiCallRecord {
  /** Epoch ms when the call reached the simulated endpoint. */
  at: number;
  /** The endpoint's region (us-east-1 for Route 53). */
  region: string;
  /** SDK command name without the `Command` suffix. */
  command: string;
  /** 'ok', or the name of the error the caller received. */
  outcome: 'ok' | string;
  /** Virtual ms the call took, latency or hang included. */
  durationMs: number;
  /**
   * The call changed the cloud although its caller got an error (a 'lost-response' fault): count
   * it with the 'ok' calls when asking what was applied.
   */
  lostResponse?: true;
  /** The rate limit (src/sim/rate-limits.ts) that refused the call; absent for a call it admitted. */
  throttledBy?: RateLimitName;
  /**
   * What a mutating ECS or Application Auto Scaling call acted on, as `service/CLUSTER/NAME`
   * (the scalable target's ResourceId); absent for other calls.
   */
  resource?: string;
}

/** SimOptions that may differ per database (SimOptions.databaseOverrides). */
export type DatabaseOverrides = Pick<
  SimOptions,
  'headlessStandby' | 'engineVersions' | 'promotionStuck' | 'promotionMs' | 'globalClusterReadLagMs'
>;

/** One Aurora global database as the cloud holds it (CloudSnapshot.databases). */
export interface DatabaseSnapshot {
  globalClusterIdentifier: string;
  /** The region of the only writer; null when there is none or more than one (split brain). */
  writerRegion: string | null;
  /** Regions whose cluster acceptsWrites; more than one is split brain. */
  writerRegions: string[];
  failoverState: string | null;
  members: DatabaseMemberSnapshot[];
}

export interface DatabaseMemberSnapshot {
  region: string;
  arn: string;
  /** What the RDS API reports: the global writer, or a cluster detached from the global cluster and promoted. */
  isWriter: boolean;
  /**
   * The true state, not the API's view: whether a client connected to this cluster's endpoint can
   * commit a write now. An old writer cut off by an unplanned failover keeps taking local writes
   * until Aurora can reach it to fence it.
   */
  acceptsWrites: boolean;
  status: string;
  /** connected | pending-resync | detached (no longer in the global cluster). */
  synchronizationStatus: string;
  instances: number;
  /** The cluster's engine version (DescribeDBClusters EngineVersion). */
  engineVersion?: string;
  /**
   * The writer blocks transaction commits: the plan sets rds.global_db_rpo and no secondary has an
   * RPO lag below it (Aurora User Guide, managing RPOs for Aurora PostgreSQL global databases).
   */
  commitsPaused?: boolean;
}

/** An Application Auto Scaling scheduled action with a one-time schedule (`at(...)`). */
export interface SimScheduledAction {
  /** The scalable target's region. */
  region: string;
  /** The plan service's `name` (it must have `autoScaling: true`). */
  service: string;
  /** Epoch ms of the schedule; AAS runs it a few seconds later (latencies.scheduledActionDelay). */
  at: number;
  /** The new bounds (ScalableTargetAction): either or both. */
  minCapacity?: number;
  maxCapacity?: number;
  name?: string;
}

/**
 * Demand on one autoscaled plan service in one region during [from, to), in tasks' worth at its
 * target tracking target value when the region gets all the traffic (it is scaled by the share
 * of DNS answers the region gets), replacing the default, the plan's activeCount.
 */
export interface EcsDemand {
  region: string;
  /** The plan service's `name`. */
  service: string;
  tasks: number;
  /** Epoch ms; open-ended when absent. */
  from?: number;
  to?: number;
}

/** Which scaling activities Application Auto Scaling has suspended for a scalable target. */
export interface ScalingSuspended {
  dynamicScalingIn: boolean;
  dynamicScalingOut: boolean;
  scheduledScaling: boolean;
}

export interface CloudSnapshot {
  at: string;
  /** The plan's first database (its only one, for most plans): `databases[0]`. */
  database: DatabaseSnapshot;
  /** Every Aurora global database of the plan, in plan order: what the invariants judge. */
  databases: DatabaseSnapshot[];
  services: {
    region: string;
    cluster: string;
    service: string;
    desired: number;
    running: number;
    pending: number;
    minCapacity: number | null;
    /** Application Auto Scaling's suspended scaling activities; null when it does not manage the service. */
    suspended: ScalingSuspended | null;
  }[];
  /**
   * What the authoritative name servers answer now: for each record set, the records Route 53
   * chooses among once health checks are applied (a change shows here once it is INSYNC, a health
   * status once it has propagated). A record it would not answer now (unhealthy while a healthy
   * one is there, a SECONDARY while the PRIMARY is healthy) is absent.
   */
  dns: {
    hostedZoneId: string;
    name: string;
    type: string;
    setIdentifier: string | null;
    value: string;
    weight: number | null;
    /** Failover records: PRIMARY or SECONDARY; null otherwise. */
    failover: 'PRIMARY' | 'SECONDARY' | null;
    /** The health check on the record, and its status as the name servers see it; null without one. */
    healthCheckId: string | null;
    healthy: boolean | null;
  }[];
  publishedMetrics: {
    region: string;
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    value: number;
    at: string;
  }[];
  /** Every DynamoDB table by region, items as plain JSON (unmarshalled), latest write. */
  tables: { region: string; table: string; items: Record<string, unknown>[] }[];
  /** Every SNS message published, in order. */
  notifications: { region: string; topicArn: string; subject: string | null; message: string; at: string }[];
}
