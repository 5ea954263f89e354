import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53RecoveryClusterClient } from '@aws-sdk/client-route53-recovery-cluster';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import type { MiddlewareStack } from '@smithy/types';

/**
 * Every call is bounded below the 60 s Lambda and Task timeout (DESIGN.md, "A deadline
 * cancels"), so it ends as a retried TimeoutError, never as a Lambda killed mid-call
 * (Lambda.Unknown, which is not retried). What @smithy/node-http-handler 4.x does with each
 * option (its source; measured here against a blackholed and a silent local endpoint):
 *
 * - connectionTimeout: no TCP answer (a blackholed endpoint) ends at 3 s with TimeoutError. It
 *   does not apply to a request on a pooled keep-alive connection, which is already connected.
 * - requestTimeout: the whole request, connect included. WITHOUT throwOnRequestTimeout it only
 *   logs a warning and the request waits on (the SDK kept it that way because requestTimeout used
 *   to be a socket idle timeout): a connection that is accepted and never answered, or a pooled
 *   one whose endpoint went dark, would then hang until the Lambda dies. Hence the flag.
 * - maxAttempts and retryMode are pinned: AWS_MAX_ATTEMPTS, AWS_RETRY_MODE or a config file must
 *   not raise the bound below. TimeoutError is transient to the standard strategy (retried).
 *
 * Worst case of one SDK call, every attempt unanswered until its timeout, each retry after the
 * longest backoff the standard strategy allows (full jitter up to min(20 s, base x 2^i), base
 * 1 s for throttling and 50 ms otherwise, plus up to 5 s more for a Retry-After hint):
 *   3 x 10 s + (1 + 5) s + (2 + 5) s = 43 s < 60 s
 * (the ARC cluster client: one attempt, 10 s). test/aws/clients.test.ts recomputes this from the
 * built clients against serverless.yml and the state machine. Steps bound calls into a failed
 * region much tighter on top of this (src/aws/retry.ts).
 */
export const CLIENT_TIMEOUTS = {
  connectionTimeout: 3_000,
  requestTimeout: 10_000,
  throwOnRequestTimeout: true,
} as const;
/** The SDK's defaults, stated so that nothing in the environment changes them. */
export const CLIENT_RETRIES = { maxAttempts: 3, retryMode: 'standard' } as const;
const base = { requestHandler: CLIENT_TIMEOUTS, ...CLIENT_RETRIES };

export interface RegionalClients {
  readonly region: string;
  readonly rds: RDSClient;
  readonly ecs: ECSClient;
  readonly cloudwatch: CloudWatchClient;
  readonly autoscaling: ApplicationAutoScalingClient;
  readonly sfn: SFNClient;
  readonly dynamodb: DynamoDBClient;
  readonly sns: SNSClient;
}

/** Route 53's control plane (ChangeResourceRecordSets, GetChange) is served from us-east-1 only. */
export const ROUTE53_CONTROL_PLANE_REGION = 'us-east-1';

/** The part of an SDK v3 client a decorator needs. */
export interface DecoratableClient {
  // biome-ignore lint/suspicious/noExplicitAny: every SDK v3 client's stack fits this
  middlewareStack: MiddlewareStack<any, any>;
  config: { region: () => Promise<string> };
}
type AnyClient = DecoratableClient;
/** Adds a middleware to a client; the local drill uses it to swap the HTTP transport. */
export type ClientDecorator = (client: AnyClient) => void;

/**
 * One set of SDK clients per region, built once per Lambda container and reused across
 * invocations. Steps receive this registry as a dependency so tests can pass mocks.
 */
/** One regional endpoint of a Route 53 ARC cluster (plan `dns.routingControl.endpoints`). */
export interface ClusterEndpoint {
  region: string;
  url: string;
}

export class ClientRegistry {
  readonly #regional = new Map<string, RegionalClients>();
  #route53: Route53Client | undefined;
  readonly #clusters = new Map<string, Route53RecoveryClusterClient>();
  readonly #decorators: ClientDecorator[] = [];

  forRegion(region: string): RegionalClients {
    let clients = this.#regional.get(region);
    if (!clients) {
      clients = {
        region,
        rds: this.#decorate(new RDSClient({ ...base, region })),
        ecs: this.#decorate(new ECSClient({ ...base, region })),
        cloudwatch: this.#decorate(new CloudWatchClient({ ...base, region })),
        autoscaling: this.#decorate(new ApplicationAutoScalingClient({ ...base, region })),
        sfn: this.#decorate(new SFNClient({ ...base, region })),
        dynamodb: this.#decorate(new DynamoDBClient({ ...base, region })),
        sns: this.#decorate(new SNSClient({ ...base, region })),
      };
      this.#regional.set(region, clients);
    }
    return clients;
  }

  route53(): Route53Client {
    this.#route53 ??= this.#decorate(new Route53Client({ ...base, region: ROUTE53_CONTROL_PLANE_REGION }));
    return this.#route53;
  }

  /**
   * A client for one ARC cluster endpoint, signed for the endpoint's region. One attempt per call
   * (maxAttempts 1): on a timeout, 5xx or throttle the caller moves to the next endpoint instead
   * of retrying this one (traffic-modes/routing-control.ts).
   */
  routingControlCluster(endpoint: ClusterEndpoint): Route53RecoveryClusterClient {
    let client = this.#clusters.get(endpoint.url);
    if (!client) {
      client = this.#decorate(
        new Route53RecoveryClusterClient({
          ...base,
          region: endpoint.region,
          endpoint: endpoint.url,
          maxAttempts: 1,
        }),
      );
      this.#clusters.set(endpoint.url, client);
    }
    return client;
  }

  /** Drops every client and decorator: the next call builds fresh clients (one drill after another). */
  reset(): void {
    for (const clients of this.#regional.values()) {
      for (const client of allOf(clients)) client.destroy();
    }
    this.#route53?.destroy();
    for (const client of this.#clusters.values()) client.destroy();
    this.#regional.clear();
    this.#clusters.clear();
    this.#route53 = undefined;
    this.#decorators.length = 0;
  }

  /** Applies `decorator` to every client built so far and every client built later. */
  decorate(decorator: ClientDecorator): void {
    this.#decorators.push(decorator);
    for (const clients of this.#regional.values()) {
      for (const client of allOf(clients)) {
        decorator(client as unknown as AnyClient);
      }
    }
    if (this.#route53) decorator(this.#route53 as unknown as AnyClient);
    for (const client of this.#clusters.values()) decorator(client as unknown as AnyClient);
  }

  #decorate<T>(client: T): T {
    for (const decorator of this.#decorators) decorator(client as unknown as AnyClient);
    return client;
  }
}

function allOf(clients: RegionalClients) {
  return [
    clients.rds,
    clients.ecs,
    clients.cloudwatch,
    clients.autoscaling,
    clients.sfn,
    clients.dynamodb,
    clients.sns,
  ];
}

/** The process-wide registry the Lambda handlers use. */
export const awsClients = new ClientRegistry();
