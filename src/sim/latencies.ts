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
  /*
   * No figure for how long a call into an endpoint that does not answer hangs: it hangs until the
   * calling client's own timeout ends it (connectionTimeout, or requestTimeout with
   * throwOnRequestTimeout), read from the client's configuration, or forever without one
   * (src/sim/endpoints.ts, src/aws/clients.ts). The one duration that model needs is below.
   */
  /**
   * How long a client's idle keep-alive connection to an endpoint stays open after its last
   * answer: a request sent on it after the endpoint went dark is not ended by connectionTimeout
   * (the socket is already connected), only by requestTimeout or socketTimeout.
   */
  keepAliveIdle: {
    minMs: 60_000,
    maxMs: 60_000,
    source:
      "modelling choice: the SDK's agent keeps connections alive with no agent timeout (@smithy/node-http-handler), so the server decides; AWS publishes no idle timeout for its API endpoints, 60 s is the ELB default idle timeout (ELB User Guide), used as a stand-in",
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
  /**
   * RemoveFromGlobalCluster: from the call to the cluster leaving GlobalClusterMembers (and
   * DescribeDBClusters showing it `promoting`, without GlobalClusterIdentifier). Until then it is
   * still listed as a secondary and takes no writes.
   */
  auroraDetachRemoval: {
    minMs: 5_000,
    maxMs: 30_000,
    source:
      'modelling choice: AWS publishes no figure; removal is asynchronous (RDS API Reference, RemoveFromGlobalCluster returns the global cluster, the member still listed), and "it takes a few seconds for cluster to change status from available to promoting" (github.com/ansible-collections/amazon.aws pull 1705, which waits 15 s)',
  },
  /** RemoveFromGlobalCluster: from leaving the global cluster (`promoting`) to a standalone writer, `available`. */
  auroraDetachPromotion: {
    minMs: 60_000,
    maxMs: 180_000,
    source:
      'modelling choice: AWS publishes no figure; a removed cluster "is in promoting state for a while" (github.com/hashicorp/terraform-provider-aws pull 40333) and its promotion outlasted Terraform\'s delete wait (issue 39909); 1-3 min, like the managed promotion it resembles',
  },
  /**
   * Eventual consistency of DescribeGlobalClusters: how long after a change (a failover or
   * switchover accepted, finishing, a member removed) the global cluster's description may still
   * show the state before it. DescribeDBClusters of a cluster in its own region is not delayed.
   */
  auroraGlobalReadLag: {
    minMs: 0,
    maxMs: 5_000,
    source:
      'modelling choice, leaning pessimistic: AWS publishes no figure for RDS; AWS APIs are eventually consistent and AWS advises re-reading with backoff "starting with a couple of seconds" (EC2 Developer Guide, eventual consistency in the Amazon EC2 API)',
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
      'ELB User Guide, target group deregistration delay: the default is 300 s; 30 s is a modelling choice, the common setting for APIs (the pessimistic profile uses the default)',
  },
  /** A task that cannot be placed stays PENDING this long, stops, and the service scheduler launches another. */
  ecsPlacementRetry: {
    minMs: 60_000,
    maxMs: 60_000,
    source:
      'modelling choice: ECS reports "unable to place a task" as a service event and its scheduler keeps retrying; ~60 s per attempt',
  },
  /**
   * How far behind the latest UpdateService (or scaling activity) an ECS DescribeServices may
   * answer: it may show the previous desiredCount for this long after a change.
   */
  ecsReadAfterWrite: {
    minMs: 0,
    maxMs: 2_000,
    source:
      'modelling choice: the ECS API Reference says the API "follows an eventual consistency model" (RunTask, CreateService: a change "might not be immediately visible to all subsequent commands") but gives no figure; AWS advises re-reading with backoff "starting with a couple of seconds" (EC2 Developer Guide, eventual consistency)',
  },
  /**
   * Application Auto Scaling target tracking (src/sim/autoscaling.ts): the period of the policy's
   * metric (one datapoint each) and of its alarms' evaluations. While an alarm stays in ALARM its
   * Auto Scaling action is invoked again every period.
   */
  scalingMetricPeriod: {
    minMs: 60_000,
    maxMs: 60_000,
    source:
      'ECS publishes CPUUtilization every minute (ECS Developer Guide, service utilization metrics); target tracking alarms use a 60 s period (github.com/aws/containers-roadmap issue 1208); CloudWatch User Guide, alarm actions: an alarm with an Auto Scaling action "continues to invoke the action once per minute" while in ALARM',
  },
  /** The target tracking scale-out alarm's window: it fires on this many minutes of datapoints above the target. */
  targetTrackingScaleOutAlarm: {
    minMs: 180_000,
    maxMs: 180_000,
    source:
      'the AlarmHigh that target tracking creates: 3 datapoints of 1 min (github.com/aws/containers-roadmap issue 1208, github.com/aws/copilot-cli issue 4233); not configurable',
  },
  /** The target tracking scale-in alarm's window: this many minutes of datapoints below its threshold. */
  targetTrackingScaleInAlarm: {
    minMs: 900_000,
    maxMs: 900_000,
    source:
      'the AlarmLow that target tracking creates: 15 datapoints of 1 min (github.com/aws/containers-roadmap issue 1208, github.com/aws-samples/amazon-aurora-labs-for-mysql issue 3)',
  },
  /** After a target tracking scale-out, a further one only if larger until this has passed. */
  targetTrackingScaleOutCooldown: {
    minMs: 300_000,
    maxMs: 300_000,
    source:
      'Application Auto Scaling default ScaleOutCooldown for ECS services, 300 s (User Guide, cooldown period; aws-cdk BaseTargetTrackingProps: "Duration.seconds(300) for ... ECS services")',
  },
  /** After a target tracking scale-in, no further scale-in until this has passed. */
  targetTrackingScaleInCooldown: {
    minMs: 300_000,
    maxMs: 300_000,
    source:
      'Application Auto Scaling User Guide, cooldown: the default ScaleInCooldown for ECS services is 300 s (same sources as the scale-out cooldown)',
  },
  /** From a scheduled action's time to Application Auto Scaling running it on the service. */
  scheduledActionDelay: {
    minMs: 1_000,
    maxMs: 5_000,
    source:
      'Application Auto Scaling User Guide, scheduled scaling: "the delay between the time the scheduled action is triggered and the time the target service honors the scaling action might be a few seconds"',
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
  keepAliveIdle: {
    minMs: 350_000,
    maxMs: 350_000,
    source:
      'modelling choice, pessimistic: a longer-lived pooled connection means more requests written into a dead one; 350 s is the default TCP idle timeout of a Network Load Balancer (ELB User Guide, update the TCP idle timeout for your NLB listener)',
  },
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
      'Route 53 Developer Guide, health check settings: the defaults are a 30 s request interval and a failure threshold of 3, ~90 s',
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
  auroraDetachRemoval: {
    minMs: 30_000,
    maxMs: 120_000,
    source:
      'modelling choice, pessimistic: no AWS figure; scripts that detach poll the membership for up to 10 min (github.com/keycloak/keycloak-benchmark pull 564: 60 polls 10 s apart)',
  },
  auroraDetachPromotion: {
    minMs: 180_000,
    maxMs: 480_000,
    source:
      'modelling choice, pessimistic: no AWS figure; the same bound as a slow managed promotion (about 8 minutes, github.com/keycloak/keycloak-benchmark issue 445); a cluster still promoting was gone ~10 min later (github.com/hashicorp/terraform-provider-aws issue 8186)',
  },
  auroraGlobalReadLag: {
    minMs: 5_000,
    maxMs: 30_000,
    source:
      "modelling choice, pessimistic: tens of seconds; the EC2 Developer Guide (eventual consistency) tells callers to keep re-reading with backoff up to minutes. Stays below check-promotion's NOT_VISIBLE_GRACE_MS (60 s)",
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
  ecsReadAfterWrite: {
    minMs: 0,
    maxMs: 10_000,
    source:
      'modelling choice, pessimistic: no AWS figure (see the typical entry); AWS advises re-reading with backoff from a couple of seconds up to minutes (EC2 Developer Guide, eventual consistency); 10 s, below the 15 s the state machine waits between rollback rounds',
  },
  scheduledActionDelay: {
    minMs: 1_000,
    maxMs: 30_000,
    source:
      'modelling choice, pessimistic: "a few seconds", and "scheduled actions with start times close to each other can take longer to run" (Application Auto Scaling User Guide, scheduled scaling)',
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
