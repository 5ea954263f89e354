/**
 * Every duration the simulated cloud uses, in one place so a reader can check each against its
 * source and change it. A range is drawn from the seeded generator, so a drill repeats exactly.
 * Where AWS publishes no figure, `source` says the value is a modelling choice and why.
 */
export interface Latency {
  readonly minMs: number;
  readonly maxMs: number;
  readonly source: string;
}

export const LATENCIES = {
  /** Round trip of one API call to a healthy regional endpoint. */
  apiCall: {
    minMs: 50,
    maxMs: 300,
    source: 'modelling choice: typical control-plane API round trips within and across regions',
  },
  /** A call into a region whose endpoints do not answer, until the client gives up. */
  unreachableHang: {
    minMs: 10_000,
    maxMs: 10_000,
    source:
      'modelling choice: a connect timeout of ~10 s; the SDK retries TimeoutError (transient), so one SDK call costs maxAttempts x this plus backoff',
  },
  /** From a failure to Route 53 health checkers calling the endpoint unhealthy. */
  route53HealthCheckDetection: {
    minMs: 30_000,
    maxMs: 30_000,
    source:
      'Route 53 Developer Guide: checks every 10 s (or 30 s), failure threshold 3 by default; ~interval x threshold',
  },
  /**
   * From a health check's status changing (a routing control set On or Off, or the checkers'
   * verdict on an endpoint) to the authoritative name servers answering by it.
   */
  healthToAnswers: {
    minMs: 30_000,
    maxMs: 60_000,
    source:
      'modelling choice, leaning pessimistic: AWS publishes no figure for a routing control change or a health status reaching DNS answers (ARC Developer Guide, routing control health checks); the same bound as a record change reaching every authoritative server (Route 53 API Reference, GetChange: typically within 60 s)',
  },
  /** A record change from PENDING to INSYNC on all authoritative servers. */
  route53ChangeInsync: {
    minMs: 30_000,
    maxMs: 60_000,
    source: 'Route 53 API Reference, GetChange: PENDING, then INSYNC once propagated, typically within 60 s',
  },
  /** FailoverState `pending`: Aurora verifies the clusters before it acts. */
  auroraFailoverPending: {
    minMs: 3_000,
    maxMs: 8_000,
    source:
      'modelling choice: FailoverState pending is a short verification phase (RDS API Reference, FailoverState)',
  },
  /** Promoting the secondary (failing-over / switching-over) until it takes writes. */
  auroraPromotion: {
    minMs: 45_000,
    maxMs: 65_000,
    source:
      'AWS Aurora labs: managed failover "under a minute"; the User Guide says "typically a few minutes" (raise this to rehearse the slow case)',
  },
  /** Switchover only: demoting the primary and letting the target catch up, on top of the replication lag itself. */
  auroraSwitchoverCatchUp: {
    minMs: 1_000,
    maxMs: 3_000,
    source:
      'Aurora User Guide, switchover waits for full sync (RPO 0): grows with lag, normally under 1 s, plus this demotion time',
  },
  /** After an unplanned failover, from the old primary's region recovering to it being a connected secondary again. */
  auroraRebuild: {
    minMs: 20 * 60_000,
    maxMs: 20 * 60_000,
    source:
      'Aurora User Guide: the old primary is rebuilt on a new storage volume (after a snapshot of the old one) and re-added as a secondary, "minutes to hours"; 20 min is a modelling choice (SimOptions.rebuildAfterMs overrides it)',
  },
  /** One new ECS task: placement, image pull, start, health-check grace. */
  ecsTaskStart: {
    minMs: 60_000,
    maxMs: 120_000,
    source:
      'ECS Developer Guide: placement, image pull, start and health-check grace; 1-2 min is typical for a web service',
  },
  /** A task removed by a scale-down keeps running while the load balancer drains it. */
  ecsDrain: {
    minMs: 30_000,
    maxMs: 30_000,
    source:
      'ELB target group deregistration delay: default 300 s, 30 s is the common setting for APIs and used here',
  },
  /** A task that cannot be placed stays PENDING this long, stops, and the service scheduler launches another. */
  ecsPlacementRetry: {
    minMs: 60_000,
    maxMs: 60_000,
    source:
      'modelling choice: ECS reports "unable to place a task" as a service event and its scheduler keeps retrying; ~60 s per attempt',
  },
  /** Application Auto Scaling bringing desiredCount back inside [min, max] after someone set it outside. */
  autoScalingCorrection: {
    minMs: 60_000,
    maxMs: 60_000,
    source:
      'modelling choice: the scaler acts on its next evaluation; target-tracking alarms evaluate every 60 s',
  },
  /** A standard-resolution datapoint becomes readable this long after its period ends. */
  cloudWatchDatapointDelay: {
    minMs: 60_000,
    maxMs: 60_000,
    source:
      'modelling choice: AWS services publish 60 s metrics (CloudWatch User Guide) and ingestion adds up to about a period; ALB reports only when requests flow',
  },
  /** How stale an eventually consistent DynamoDB read (ConsistentRead false) may be. */
  dynamodbEventualRead: {
    minMs: 0,
    maxMs: 1_000,
    source:
      'DynamoDB Developer Guide, read consistency: an eventually consistent read may not reflect a recently completed write; copies usually converge within a second',
  },
} as const satisfies Record<string, Latency>;

export type LatencyName = keyof typeof LATENCIES;

/** How kind the simulated cloud is: `typical` is a normal bad day, `pessimistic` the slow end AWS documents or users report. */
export const LATENCY_PROFILES = ['typical', 'pessimistic'] as const;
export type LatencyProfile = (typeof LATENCY_PROFILES)[number];

/**
 * The pessimistic profile: each figure replaced here is the slow end of what AWS documents or
 * what users report, with its source. A figure not listed is the same in both profiles.
 */
export const PESSIMISTIC: Partial<Record<LatencyName, Latency>> = {
  apiCall: {
    minMs: 100,
    maxMs: 1_500,
    source:
      'modelling choice, pessimistic: control-plane calls during a regional event are slower; AWS publishes no latency figure',
  },
  route53HealthCheckDetection: {
    minMs: 90_000,
    maxMs: 90_000,
    source:
      "Route 53 Developer Guide, health check settings: the defaults are a 30 s request interval and a failure threshold of 3, ~90 s",
  },
  healthToAnswers: {
    minMs: 60_000,
    maxMs: 120_000,
    source:
      'modelling choice, pessimistic: no AWS figure (see the typical entry); twice the typical bound, the same as a slow record change below',
  },
  route53ChangeInsync: {
    minMs: 60_000,
    maxMs: 180_000,
    source:
      'users report 60-120 s to INSYNC (github.com/libdns/route53 issue 14); the Route 53 team advises polling GetChange for up to 5 min (github.com/cert-manager/cert-manager issue 9066)',
  },
  auroraFailoverPending: {
    minMs: 10_000,
    maxMs: 30_000,
    source:
      'modelling choice, pessimistic: the verification phase (RDS API Reference, FailoverState pending) has no published duration',
  },
  auroraPromotion: {
    minMs: 240_000,
    maxMs: 480_000,
    source:
      'Aurora User Guide: a managed failover completes "within a few minutes"; a user measured about 8 minutes end to end (github.com/keycloak/keycloak-benchmark issue 445)',
  },
  auroraSwitchoverCatchUp: {
    minMs: 5_000,
    maxMs: 30_000,
    source:
      'modelling choice, pessimistic: a switchover first synchronizes every secondary (Aurora User Guide, switchovers); under write load that takes longer than the lag alone',
  },
  ecsTaskStart: {
    minMs: 120_000,
    maxMs: 300_000,
    source:
      'users report 60-90 s for small Fargate images (github.com/aws/containers-roadmap issues 649, 696) and image pulls of up to minutes for large ones (github.com/dask/dask-cloudprovider issue 66); 2-5 min with health-check grace',
  },
  ecsDrain: {
    minMs: 300_000,
    maxMs: 300_000,
    source: 'ELB User Guide, target group deregistration delay: the default is 300 s',
  },
  cloudWatchDatapointDelay: {
    minMs: 60_000,
    maxMs: 180_000,
    source:
      'modelling choice, pessimistic: CloudWatch documents that datapoints can arrive late (User Guide, alarms on delayed metrics, "evaluating late data") but no bound; up to three periods, drawn per period so a read sees gaps a later read fills in',
  },
};

/** Every latency under a profile. */
export function latenciesFor(profile: LatencyProfile): Record<LatencyName, Latency> {
  return profile === 'pessimistic' ? { ...LATENCIES, ...PESSIMISTIC } : { ...LATENCIES };
}

/** The profile by name; an unknown name is an error that lists the known ones. */
export function latencyProfile(name: string): LatencyProfile {
  if ((LATENCY_PROFILES as readonly string[]).includes(name)) return name as LatencyProfile;
  throw new Error(`unknown latency profile "${name}"; profiles: ${LATENCY_PROFILES.join(', ')}`);
}
