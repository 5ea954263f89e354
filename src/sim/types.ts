import type { FailoverPlan } from '../plan/schema.js';

/** A regional failure scripted into a drill. */
export interface Incident {
  region: string;
  /**
   * service-down: the workload in `region` fails (its signals go bad, switchovers out of or into
   * it are refused); the AWS APIs still answer. apis-unreachable: every API call whose endpoint is
   * in `region` hangs and times out (Route 53's control plane counts as us-east-1).
   */
  kind: 'service-down' | 'apis-unreachable';
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
    | 'timeout'
    | { name: string; message: string; fault: 'client' | 'server'; status: number };
  /** How many calls fail. Each SDK retry attempt is a call and consumes one. */
  count: number;
  /** Epoch ms before which the rule does not match. */
  from?: number;
}

export interface SimOptions {
  /** Resources are built from the plan. */
  plan: FailoverPlan;
  /** Seeds every latency, identifier and metric jitter: the same seed gives the same drill. */
  seed: number;
  incidents?: Incident[];
  faults?: FaultRule[];
  /** Steady Aurora global replication lag in ms (default 400). */
  rpoLagMs?: number;
  /** Initial desiredCount of every ECS service in the standby region (default 1). */
  standbyDesired?: number;
  /** The standby Aurora cluster has no DB instance, so it cannot be promoted. */
  headlessStandby?: boolean;
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
}

export interface DatabaseMemberSnapshot {
  region: string;
  arn: string;
  /** Takes writes: the global writer, or a cluster detached from the global cluster. */
  isWriter: boolean;
  status: string;
  /** connected | pending-resync | detached (no longer in the global cluster). */
  synchronizationStatus: string;
  instances: number;
}

export interface CloudSnapshot {
  at: string;
  database: {
    globalClusterIdentifier: string;
    /** The region of the only writer; null when there is none or more than one (split brain). */
    writerRegion: string | null;
    failoverState: string | null;
    members: DatabaseMemberSnapshot[];
  };
  services: {
    region: string;
    cluster: string;
    service: string;
    desired: number;
    running: number;
    pending: number;
    minCapacity: number | null;
  }[];
  /** What the authoritative name servers answer: a change shows here once it is INSYNC. */
  dns: {
    hostedZoneId: string;
    name: string;
    type: string;
    setIdentifier: string | null;
    value: string;
    weight: number | null;
  }[];
  publishedMetrics: {
    region: string;
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    value: number;
    at: string;
  }[];
}
