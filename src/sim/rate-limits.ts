import { STATE_CHANGES_PER_SECOND } from '../traffic-modes/simulated.js';
import type { ServiceName } from './errors.js';

/**
 * AWS's API request rates for the calls the orchestrator makes, in one table like LATENCIES: a
 * reader can check each figure against its source and change it. Every limit is a token bucket
 * (what AWS itself documents for Route 53, ECS, RDS): it holds at most `burst` tokens, refills at
 * `ratePerSecond`, starts full, and a request takes `tokens` from it (1 unless said otherwise).
 * A request that finds a bucket short is refused with `error` and takes nothing from any bucket
 * (modelling choice: whether AWS charges the buckets that did have tokens is not documented).
 * Where AWS publishes no figure, `source` says the value is a modelling choice, leaning
 * pessimistic.
 *
 * The transport checks the buckets when a request arrives at its endpoint (after its latency,
 * before the handler runs): a refused request is not applied. The SDK's retry strategy retries
 * it like any throttle, and each retry draws from the buckets again.
 *
 * DynamoDB is not here on purpose: its item operations are capacity-based, and an on-demand table
 * (the lock table's billing mode in serverless.yml) throttles only above twice its previous peak
 * within 30 minutes, starting from 4,000 write and 12,000 read request units per second for a new
 * table, and above 40,000 per table by default (DynamoDB Developer Guide, on-demand capacity
 * mode, initial throughput; AWS knowledge center, on-demand table throttling). The orchestrator's
 * few lock reads and writes per execution are orders of magnitude below that.
 */
export interface RateLimit {
  readonly service: ServiceName;
  /** The SDK command names (without `Command`) that draw from this bucket; '*' every command of the service. */
  readonly actions: '*' | readonly string[];
  /**
   * Whose bucket it is. `account-region`: one per account per region. `account-global`: one per
   * account (Route 53's API is global). `endpoint`: one per Route 53 ARC cluster endpoint.
   * `hosted-zone`: one per Route 53 hosted zone (the HostedZoneId of the request).
   */
  readonly scope: 'account-region' | 'account-global' | 'endpoint' | 'hosted-zone';
  /** Each action matched has a bucket of its own (Route 53's per-action buckets) instead of sharing one. */
  readonly perAction?: boolean;
  /** Bucket refill rate: the sustained requests (or tokens) per second. */
  readonly ratePerSecond: number;
  /** Bucket maximum capacity: how many requests (or tokens) it absorbs at once when full. */
  readonly burst: number;
  /** Other figures in some regions (SNS Publish); `ratePerSecond` and `burst` everywhere else. */
  readonly regional?: Readonly<Record<string, { readonly ratePerSecond: number; readonly burst: number }>>;
  /** Tokens one request takes (Route 53 change throughput counts record changes); 1 when absent. */
  readonly tokens?: (input: Record<string, unknown>) => number;
  /** What AWS answers when the bucket is empty: the error's name as the SDK raises it, HTTP status, message. */
  readonly error: { readonly name: string; readonly status: number; readonly message: string };
  /**
   * Set when a service model already enforces the limit itself; the transport then leaves it to
   * the model (listed here so the table stays the one place to read the figures).
   */
  readonly enforcedBy?: string;
  readonly source: string;
}

const RATE_EXCEEDED = 'Rate exceeded';
const ROUTE53_THROTTLE = { name: 'Throttling', status: 400, message: RATE_EXCEEDED } as const;
const ROUTE53_THROTTLING_PAGE =
  'Route 53 Developer Guide, "Throttling for Amazon Route 53 API requests" (updated behaviour, default since 2026-07-30 per the AWS Networking blog "Introducing change-based throttling for Amazon Route 53 APIs"; it replaced the former "five requests per second per AWS account")';
const ECS_THROTTLING_PAGE =
  'ECS API Reference, "Request throttling for the Amazon ECS API": token bucket per account per Region, by action category; ThrottlingException, Status Code 400, "Rate exceeded"';
const ECS_THROTTLE = { name: 'ThrottlingException', status: 400, message: RATE_EXCEEDED } as const;
const AAS_THROTTLE = { name: 'ThrottlingException', status: 400, message: RATE_EXCEEDED } as const;
const CLOUDWATCH_THROTTLE = { name: 'Throttling', status: 400, message: RATE_EXCEEDED } as const;
const ARC_THROTTLE = { name: 'ThrottlingException', status: 429, message: RATE_EXCEEDED } as const;

/** Route 53 change throughput tokens of one ChangeResourceRecordSets: 1 per CREATE and DELETE, 2 per UPSERT. */
export function route53ChangeTokens(input: Record<string, unknown>): number {
  const batch = input.ChangeBatch as { Changes?: { Action?: string }[] } | undefined;
  return (batch?.Changes ?? []).reduce((sum, change) => sum + (change.Action === 'UPSERT' ? 2 : 1), 0);
}

export const RATE_LIMITS = {
  route53Account: {
    service: 'route53',
    actions: '*',
    scope: 'account-global',
    ratePerSecond: 10,
    burst: 50,
    error: ROUTE53_THROTTLE,
    source: `${ROUTE53_THROTTLING_PAGE}: all Route 53 API actions combined (account level), bucket maximum capacity 50, refill rate 10; HTTP 400, Code Throttling, Message "Rate exceeded"`,
  },
  route53PerAction: {
    service: 'route53',
    actions: '*',
    perAction: true,
    scope: 'account-global',
    ratePerSecond: 10,
    burst: 50,
    error: ROUTE53_THROTTLE,
    source: `${ROUTE53_THROTTLING_PAGE}: each API action has its own bucket too, 50 / 10 for any action not listed (ListResourceRecordSets, ChangeResourceRecordSets, GetChange); a request takes a token from both buckets. The listed exceptions (UpdateHealthCheck 50 / 5, GetHealthCheckStatus 4 / 1, ...) are calls the orchestrator does not make`,
  },
  route53ChangeThroughput: {
    service: 'route53',
    actions: ['ChangeResourceRecordSets'],
    scope: 'account-global',
    ratePerSecond: 100,
    burst: 1_500,
    tokens: route53ChangeTokens,
    error: ROUTE53_THROTTLE,
    source: `${ROUTE53_THROTTLING_PAGE}, change throughput limiting: one bucket per account, 1,500 changes (burst), 100 changes per second; ChangeResourceRecordSets takes 1 per CREATE, 1 per DELETE, 2 per UPSERT. Modelling choice: a batch worth more tokens than the bucket holds (over 750 UPSERTs) is refused until the bucket is full, then takes it all`,
  },
  route53PriorRequest: {
    service: 'route53',
    actions: ['ChangeResourceRecordSets'],
    scope: 'hosted-zone',
    ratePerSecond: 0.5,
    burst: 1,
    error: {
      name: 'PriorRequestNotComplete',
      status: 400,
      message: 'The request was rejected because Route 53 was still processing a prior request.',
    },
    source:
      'Route 53 API Reference, ChangeResourceRecordSets errors, PriorRequestNotComplete: "If Amazon Route 53 can\'t process a request before the next request arrives, it will reject subsequent requests for the same hosted zone and return an HTTP 400 error (Bad request)"; the former Developer Guide quotas page gives the message. How long a change is "being processed" is not published: modelling choice, leaning pessimistic, 2 s per hosted zone (one change per zone every 2 s; NixOps retried 3 times 500 ms apart, github.com/NixOS/nixops pull 177)',
  },
  ecsServiceRead: {
    service: 'ecs',
    actions: ['DescribeServices', 'ListServices'],
    scope: 'account-region',
    ratePerSecond: 20,
    burst: 100,
    error: ECS_THROTTLE,
    source: `${ECS_THROTTLING_PAGE}: Service read actions (DescribeServices, ListServices), bucket maximum capacity 100, refill rate 20`,
  },
  fargateTaskLaunches: {
    service: 'ecs',
    actions: ['(task launch)'],
    scope: 'account-region',
    ratePerSecond: 20,
    burst: 100,
    error: ECS_THROTTLE,
    enforcedBy:
      "src/sim/ecs.ts (EcsModel#launch): a service scheduler's task waits for a token and starts that much later; no request is refused",
    source:
      'ECS Developer Guide, "AWS Fargate throttling quotas": Fargate limits task launches with a token bucket per account per Region, "100 tokens, and the refill rate is 20 tokens per second" (Fargate resource rate quota for On-Demand ECS tasks: burst 100, sustained 20)',
  },
  ecsServiceModify: {
    service: 'ecs',
    actions: ['CreateService', 'DeleteService', 'UpdateService'],
    scope: 'account-region',
    ratePerSecond: 5,
    burst: 50,
    error: ECS_THROTTLE,
    source: `${ECS_THROTTLING_PAGE}: Service modify actions (CreateService, DeleteService, UpdateService), bucket maximum capacity 50, refill rate 5`,
  },
  rdsAccount: {
    service: 'rds',
    actions: '*',
    scope: 'account-region',
    ratePerSecond: 12,
    burst: 300,
    error: { name: 'Throttling', status: 400, message: RATE_EXCEEDED },
    source:
      'RDS User Guide (and Aurora User Guide), "Request throttling for the Amazon RDS API": per account per Region, "up to 300 requests in a burst and a sustained 12 requests per second" for any RDS API operation (DescribeDB*, DescribeGlobalClusters, FailoverGlobalCluster, ...). The page\'s example says ThrottlingException; the Query API answers with the code Throttling (github.com/aws/aws-cli issue 8604: "An error occurred (Throttling) when calling the DescribeDBInstances operation"), which the SDK and src/sim/errors.ts use',
  },
  autoscalingRead: {
    service: 'autoscaling',
    actions: [
      'DescribeScalableTargets',
      'DescribeScalingPolicies',
      'DescribeScalingActivities',
      'DescribeScheduledActions',
    ],
    scope: 'account-region',
    ratePerSecond: 10,
    burst: 50,
    error: AAS_THROTTLE,
    source:
      "modelling choice, leaning pessimistic: Application Auto Scaling publishes no API rate (its quotas page lists only resource counts), yet it throttles (ThrottlingException, HTTP 400, in its API Reference common errors; users hit it on DescribeScalableTargets with many targets, github.com/ocadotechnology/hippolyte issue 12); half of ECS's Service read actions bucket (100 / 20)",
  },
  autoscalingWrite: {
    service: 'autoscaling',
    actions: [
      'RegisterScalableTarget',
      'DeregisterScalableTarget',
      'PutScalingPolicy',
      'DeleteScalingPolicy',
      'PutScheduledAction',
      'DeleteScheduledAction',
    ],
    scope: 'account-region',
    ratePerSecond: 2.5,
    burst: 25,
    error: AAS_THROTTLE,
    source:
      "modelling choice, leaning pessimistic: no published rate (see autoscalingRead); half of ECS's Service modify actions bucket (50 / 5)",
  },
  cloudwatchGetMetricData: {
    service: 'cloudwatch',
    actions: ['GetMetricData'],
    scope: 'account-region',
    ratePerSecond: 500,
    burst: 500,
    error: CLOUDWATCH_THROTTLE,
    source:
      'CloudWatch User Guide, CloudWatch service quotas: "Rate of GetMetricData requests", 500 per second per account per Region (quota L-5E141212; older pages and DESIGN.md say 50 TPS). Throttled calls answer HTTP 400, Code Throttling, "Rate exceeded" (AWS knowledge center, CloudWatch 400 throttling). No burst is published: modelling choice, one second\'s worth',
  },
  cloudwatchPutMetricData: {
    service: 'cloudwatch',
    actions: ['PutMetricData'],
    scope: 'account-region',
    ratePerSecond: 500,
    burst: 500,
    error: CLOUDWATCH_THROTTLE,
    source:
      'CloudWatch User Guide, CloudWatch service quotas: "Rate of PutMetricData requests", 500 per second per account per Region (quota L-8BC498D4); no burst published: modelling choice, one second\'s worth',
  },
  snsPublish: {
    service: 'sns',
    actions: ['Publish', 'PublishBatch'],
    scope: 'account-region',
    ratePerSecond: 300,
    burst: 300,
    regional: {
      'us-east-1': { ratePerSecond: 30_000, burst: 30_000 },
      'us-west-2': { ratePerSecond: 9_000, burst: 9_000 },
      'eu-west-1': { ratePerSecond: 9_000, burst: 9_000 },
      ...Object.fromEntries(
        [
          'us-east-2',
          'us-west-1',
          'ap-south-1',
          'ap-northeast-2',
          'ap-southeast-1',
          'ap-southeast-2',
          'ap-northeast-1',
          'eu-central-1',
        ].map((region) => [region, { ratePerSecond: 1_500, burst: 1_500 }]),
      ),
    },
    tokens: (input) =>
      Array.isArray(input.PublishBatchRequestEntries) ? input.PublishBatchRequestEntries.length : 1,
    error: { name: 'ThrottledException', status: 429, message: RATE_EXCEEDED },
    source:
      'AWS General Reference, Amazon SNS endpoints and quotas, "Publish API throttling per account" (standard topics, messages per second, Publish and PublishBatch together): us-east-1 30,000; us-west-2 and eu-west-1 9,000; us-east-2, us-west-1, ap-south-1, ap-northeast-2, ap-southeast-1, ap-southeast-2, ap-northeast-1, eu-central-1 1,500; every other Region 300. SNS API Reference, Publish errors: code Throttled, HTTP 429, which the SDK raises as ThrottledException. No burst published: modelling choice, one second\'s worth',
  },
  arcStateChanges: {
    service: 'arc',
    actions: ['UpdateRoutingControlState', 'UpdateRoutingControlStates'],
    scope: 'endpoint',
    ratePerSecond: STATE_CHANGES_PER_SECOND,
    burst: STATE_CHANGES_PER_SECOND,
    error: ARC_THROTTLE,
    enforcedBy:
      'src/traffic-modes/simulated.ts (ArcClusterModel: at most STATE_CHANGES_PER_SECOND in any one second per endpoint)',
    source:
      'ARC Developer Guide, quotas for routing control: "Number of mutating API calls to a cluster endpoint, per second: 3"; ThrottlingException, HTTP 429 (Routing Control API Reference, UpdateRoutingControlState errors)',
  },
  arcReads: {
    service: 'arc',
    actions: ['GetRoutingControlState', 'ListRoutingControls'],
    scope: 'endpoint',
    ratePerSecond: 5,
    burst: 10,
    error: ARC_THROTTLE,
    source:
      'modelling choice, leaning pessimistic: ARC publishes a quota only for mutating calls (3 per second per cluster endpoint); reads are throttled too (ThrottlingException, HTTP 429, in the API Reference) at no published rate: a little above the mutating quota, 5 per second with a burst of 10, per endpoint',
  },
} as const satisfies Record<string, RateLimit>;

export type RateLimitName = keyof typeof RATE_LIMITS;

/**
 * Which rate limits a simulated cloud enforces (SimOptions.rateLimits). 'aws' (the default): the
 * table above. 'none': no throttling but scripted faults (and the limit a model enforces itself,
 * RateLimit.enforcedBy). An object: the table with some entries changed or switched off.
 */
export type RateLimitSetting =
  | 'aws'
  | 'none'
  | {
      overrides: Partial<Record<RateLimitName, 'none' | { ratePerSecond?: number; burst?: number }>>;
    };

/** A request refused by a bucket: which entry refused it, and the error AWS answers with. */
export interface Throttle {
  limit: RateLimitName;
  error: RateLimit['error'];
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Every rate limit a setting enforces, by name (entries switched off are absent). */
export function rateLimitsFor(setting: RateLimitSetting = 'aws'): Partial<Record<RateLimitName, RateLimit>> {
  if (setting === 'none') return {};
  const overrides = setting === 'aws' ? {} : setting.overrides;
  const limits: Partial<Record<RateLimitName, RateLimit>> = {};
  for (const [name, limit] of Object.entries(RATE_LIMITS) as [RateLimitName, RateLimit][]) {
    const override = overrides[name];
    if (override === 'none') continue;
    limits[name] = override
      ? {
          ...limit,
          ...override,
          // A figure overridden applies in every region.
          regional: undefined,
        }
      : limit;
  }
  return limits;
}

/**
 * Token buckets in virtual time (Date.now()), one per rate limit per account and scope
 * (region, endpoint, hosted zone; per action where AWS keeps one per action).
 */
export class RateLimiter {
  readonly #limits: [RateLimitName, RateLimit][];
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    setting: RateLimitSetting = 'aws',
    private readonly account = '123456789012',
  ) {
    this.#limits = (Object.entries(rateLimitsFor(setting)) as [RateLimitName, RateLimit][]).filter(
      ([, limit]) => limit.enforcedBy === undefined,
    );
  }

  /**
   * Admits one request arriving at `at`: takes its tokens from every bucket it draws from and
   * returns undefined, or returns the first bucket (in table order) that is short, taking nothing.
   * `region` is the endpoint's (us-east-1 for Route 53, the cluster endpoint's for ARC).
   */
  take(
    service: ServiceName,
    command: string,
    region: string,
    input: Record<string, unknown>,
    at: number,
  ): Throttle | undefined {
    const draws: { bucket: Bucket; tokens: number }[] = [];
    for (const [name, limit] of this.#limits) {
      if (limit.service !== service) continue;
      if (limit.actions !== '*' && !limit.actions.includes(command)) continue;
      const { ratePerSecond, burst } = limit.regional?.[region] ?? limit;
      const bucket = this.#bucket(`${name}|${this.#scopeKey(limit, command, region, input)}`, burst, at);
      bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.at) * ratePerSecond) / 1000);
      bucket.at = at;
      // A request worth more than the bucket holds waits for a full bucket (modelling choice).
      const tokens = Math.min(limit.tokens?.(input) ?? 1, burst);
      // Refill arithmetic in floating point: a hair below a whole token counts as the token.
      if (bucket.tokens + 1e-9 < tokens) return { limit: name, error: limit.error };
      draws.push({ bucket, tokens });
    }
    for (const { bucket, tokens } of draws) bucket.tokens = Math.max(0, bucket.tokens - tokens);
    return undefined;
  }

  #bucket(key: string, burst: number, at: number): Bucket {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { tokens: burst, at };
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  #scopeKey(limit: RateLimit, command: string, region: string, input: Record<string, unknown>): string {
    const action = limit.perAction ? `|${command}` : '';
    switch (limit.scope) {
      case 'account-global':
        return `${this.account}${action}`;
      case 'hosted-zone':
        return `${this.account}|${String(input.HostedZoneId ?? '').replace(/^\/hostedzone\//, '')}${action}`;
      default:
        return `${this.account}|${region}${action}`;
    }
  }
}

/** The Fargate launch bucket a setting keeps, for the ECS model (it enforces that one itself). */
export function taskLaunchesFor(setting: RateLimitSetting | undefined): {
  taskLaunches?: { burst: number; ratePerSecond: number };
} {
  const limit = rateLimitsFor(setting).fargateTaskLaunches;
  return limit ? { taskLaunches: { burst: limit.burst, ratePerSecond: limit.ratePerSecond } } : {};
}
