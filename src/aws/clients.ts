// Types only: a value import here would put every SDK client into every Lambda bundle. Each
// client class is registered by the module that calls its service (registerClient below).
import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { Route53RecoveryClusterClient } from '@aws-sdk/client-route53-recovery-cluster';
import type { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SNSClient } from '@aws-sdk/client-sns';
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

/** Every kind of client the registry builds, by the name steps use for it. */
export interface ClientKinds {
  rds: RDSClient;
  ecs: ECSClient;
  cloudwatch: CloudWatchClient;
  autoscaling: ApplicationAutoScalingClient;
  sfn: SFNClient;
  dynamodb: DynamoDBClient;
  sns: SNSClient;
  /** Service Quotas in one region: readiness reads the target's Fargate vCPU quota (src/aws/service-quotas.ts). */
  serviceQuotas: ServiceQuotasClient;
  /** EventBridge's default bus in the orchestrator's region (src/events/publish.ts). */
  eventbridge: EventBridgeClient;
  /** Route 53's control plane, `ClientRegistry#route53()`. */
  route53: Route53Client;
  /** One Route 53 ARC cluster endpoint, `ClientRegistry#routingControlCluster()`. */
  routingControlCluster: Route53RecoveryClusterClient;
  /** Lambda in one region, for the plan's hooks only: `ClientRegistry#lambda()`. */
  lambda: LambdaClient;
}
export type ClientKind = keyof ClientKinds;
type RegionalKind = Exclude<ClientKind, 'route53' | 'routingControlCluster' | 'lambda'>;
const REGIONAL_KINDS = [
  'rds',
  'ecs',
  'cloudwatch',
  'autoscaling',
  'sfn',
  'dynamodb',
  'sns',
  'serviceQuotas',
  'eventbridge',
] as const;

/** One region's clients, each built (and decorated) the first time a step reads it. */
export interface RegionalClients extends Readonly<Pick<ClientKinds, RegionalKind>> {
  readonly region: string;
}

/**
 * The module that registers each kind: it is the one that calls the service, so a bundle has a
 * client exactly when it has code that uses it. src/aws/all-clients.ts imports all of them.
 */
export const CLIENT_REGISTRARS: Readonly<Record<ClientKind, string>> = {
  rds: 'src/aws/rds.ts',
  ecs: 'src/aws/ecs.ts',
  autoscaling: 'src/aws/ecs.ts',
  cloudwatch: 'src/aws/cloudwatch.ts',
  sfn: 'src/aws/sfn.ts',
  dynamodb: 'src/aws/lock.ts',
  sns: 'src/aws/sns.ts',
  serviceQuotas: 'src/aws/service-quotas.ts',
  eventbridge: 'src/events/publish.ts',
  route53: 'src/aws/route53.ts',
  routingControlCluster: 'src/traffic-modes/routing-control.ts',
  lambda: 'src/hooks/invoke.ts',
};

/** The configuration the registry gives every client (ClientRegistry below). */
export interface RegistryClientConfig {
  region: string;
  requestHandler: {
    [K in keyof typeof CLIENT_TIMEOUTS]: (typeof CLIENT_TIMEOUTS)[K] extends number ? number : boolean;
  };
  maxAttempts: number;
  retryMode: string;
  endpoint?: string;
}
type ClientClass<K extends ClientKind> = new (config: RegistryClientConfig) => ClientKinds[K];
const clientClasses = new Map<ClientKind, ClientClass<ClientKind>>();

/**
 * Tells every ClientRegistry which class builds a kind of client. Called once at the top level
 * of the module in CLIENT_REGISTRARS (e.g. `registerClient('rds', RDSClient)` in src/aws/rds.ts):
 * esbuild then bundles an SDK client only into the functions whose code imports that module.
 * Tests mock by class (aws-sdk-client-mock), so the clients built are still instances of it.
 */
export function registerClient<K extends ClientKind>(kind: K, clientClass: ClientClass<K>): void {
  clientClasses.set(kind, clientClass as ClientClass<ClientKind>);
}

/** A step read a client whose module it does not import (a bug, caught by test/deploy/bundles.test.ts). */
export class ClientNotRegisteredError extends Error {
  override readonly name = 'ClientNotRegisteredError';
}

/**
 * The Lambda client that invokes the plan's hooks (src/hooks/invoke.ts). One attempt: an Invoke
 * that timed out may have run the hook, and a second would run it again. The hook's own timeout
 * (at most 45 s, src/plan/hooks.ts) aborts the call first; this requestTimeout is the backstop,
 * still below the 60 s of the invoke-hook step (test/hooks/invoke.test.ts checks both).
 */
export const HOOK_CLIENT = { maxAttempts: 1, requestTimeout: 46_000 } as const;

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

/** One regional endpoint of a Route 53 ARC cluster (plan `dns.routingControl.endpoints`). */
export interface ClusterEndpoint {
  region: string;
  url: string;
}

/**
 * One set of SDK clients per region, built once per Lambda container and reused across
 * invocations. Steps receive this registry as a dependency so tests can pass mocks. A client is
 * built the first time it is read, from the class its module registered (registerClient), with
 * the timeouts above and every decorator given so far.
 */
export class ClientRegistry {
  readonly #regional = new Map<string, LazyRegionalClients>();
  #route53: Route53Client | undefined;
  readonly #clusters = new Map<string, Route53RecoveryClusterClient>();
  readonly #hookLambdas = new Map<string, LambdaClient>();
  readonly #decorators: ClientDecorator[] = [];

  forRegion(region: string): RegionalClients {
    let clients = this.#regional.get(region);
    if (!clients) {
      clients = new LazyRegionalClients(region, (kind) => this.#build(kind, { ...base, region }));
      this.#regional.set(region, clients);
    }
    return clients;
  }

  route53(): Route53Client {
    this.#route53 ??= this.#build('route53', { ...base, region: ROUTE53_CONTROL_PLANE_REGION });
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
      client = this.#build('routingControlCluster', {
        ...base,
        region: endpoint.region,
        endpoint: endpoint.url,
        maxAttempts: 1,
      });
      this.#clusters.set(endpoint.url, client);
    }
    return client;
  }

  /** Lambda in `region` for invoking hooks: one attempt, bounded by HOOK_CLIENT (above). */
  lambda(region: string): LambdaClient {
    let client = this.#hookLambdas.get(region);
    if (!client) {
      client = this.#build('lambda', {
        ...base,
        region,
        maxAttempts: HOOK_CLIENT.maxAttempts,
        requestHandler: { ...CLIENT_TIMEOUTS, requestTimeout: HOOK_CLIENT.requestTimeout },
      });
      this.#hookLambdas.set(region, client);
    }
    return client;
  }

  /** Drops every client and decorator: the next call builds fresh clients (one drill after another). */
  reset(): void {
    for (const client of this.#built()) client.destroy();
    this.#regional.clear();
    this.#clusters.clear();
    this.#hookLambdas.clear();
    this.#route53 = undefined;
    this.#decorators.length = 0;
  }

  /** Applies `decorator` to every client built so far and every client built later. */
  decorate(decorator: ClientDecorator): void {
    this.#decorators.push(decorator);
    for (const client of this.#built()) decorator(client as unknown as AnyClient);
  }

  #built(): { destroy(): void }[] {
    return [
      ...[...this.#regional.values()].flatMap((clients) => clients.built()),
      ...(this.#route53 ? [this.#route53] : []),
      ...this.#clusters.values(),
      ...this.#hookLambdas.values(),
    ];
  }

  #build<K extends ClientKind>(kind: K, config: RegistryClientConfig): ClientKinds[K] {
    const clientClass = clientClasses.get(kind) as ClientClass<K> | undefined;
    if (!clientClass) {
      throw new ClientNotRegisteredError(
        `no ${kind} client is registered: import ${CLIENT_REGISTRARS[kind]} (it calls registerClient('${kind}', ...)) in the module that uses it`,
      );
    }
    const client = new clientClass(config);
    for (const decorator of this.#decorators) decorator(client as unknown as AnyClient);
    return client;
  }
}

/** The regional clients as lazy getters: destructuring (`const { ecs } = ...`) builds only those. */
class LazyRegionalClients implements RegionalClients {
  readonly region: string;
  readonly #build: <K extends RegionalKind>(kind: K) => ClientKinds[K];
  readonly #clients = new Map<RegionalKind, ClientKinds[RegionalKind]>();

  constructor(region: string, build: <K extends RegionalKind>(kind: K) => ClientKinds[K]) {
    this.region = region;
    this.#build = build;
  }

  get rds() {
    return this.#get('rds');
  }
  get ecs() {
    return this.#get('ecs');
  }
  get cloudwatch() {
    return this.#get('cloudwatch');
  }
  get autoscaling() {
    return this.#get('autoscaling');
  }
  get sfn() {
    return this.#get('sfn');
  }
  get dynamodb() {
    return this.#get('dynamodb');
  }
  get sns() {
    return this.#get('sns');
  }
  get serviceQuotas() {
    return this.#get('serviceQuotas');
  }
  get eventbridge() {
    return this.#get('eventbridge');
  }

  /** The clients built so far, in REGIONAL_KINDS order. */
  built(): ClientKinds[RegionalKind][] {
    return REGIONAL_KINDS.flatMap((kind) => this.#clients.get(kind) ?? []);
  }

  #get<K extends RegionalKind>(kind: K): ClientKinds[K] {
    let client = this.#clients.get(kind) as ClientKinds[K] | undefined;
    if (!client) {
      client = this.#build(kind);
      this.#clients.set(kind, client);
    }
    return client;
  }
}

/** The process-wide registry the Lambda handlers use. */
export const awsClients = new ClientRegistry();
