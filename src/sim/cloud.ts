import type { DeserializeHandlerArguments, HandlerExecutionContext } from '@smithy/types';
import type { ClientRegistry, DecoratableClient } from '../aws/clients.js';
import { AutoScalingModel } from './autoscaling.js';
import { CloudWatchModel } from './cloudwatch.js';
import { DEFAULT_TABLES, DynamoDbModel } from './dynamodb.js';
import { EcsModel } from './ecs.js';
import { awsError, SimFault, SimulatorGapError, timeoutError } from './errors.js';
import { LATENCIES } from './latencies.js';
import { RdsModel } from './rds.js';
import { Route53Model } from './route53.js';
import { SnsModel } from './sns.js';
import {
  abortSignalOf,
  FaultBook,
  faultSpec,
  httpResponse,
  ROUTE53_ENDPOINT_REGION,
  SERVICE_BY_CLIENT,
  sleep,
} from './transport.js';
import type { ApiCallRecord, CloudSnapshot, SimOptions } from './types.js';
import { type ServiceModel, World } from './world.js';

export type { ApiCallRecord, CloudSnapshot, FaultRule, Incident, SimOptions, SimTable } from './types.js';

/** Drills cannot reach AWS, but the SDK still signs every request: give it something to sign with. */
const SIMULATED_CREDENTIALS = {
  accessKeyId: 'ASIASIMULATEDCLOUD00',
  secretAccessKey: 'simulated',
  sessionToken: 'simulated',
};

const MIDDLEWARE_NAME = 'simulatedCloudTransport';

/**
 * A two-region AWS (Aurora global database, ECS, Application Auto Scaling, Route 53, CloudWatch,
 * DynamoDB, SNS) behind the real SDK v3 clients. Its middleware sits at step `deserialize`,
 * inside the SDK's serializer, signer and retry strategy, so a simulated Throttling is retried by
 * the SDK itself. All time is Date.now() and setTimeout: under fake timers a drill runs in
 * virtual time.
 */
export class SimulatedCloud {
  readonly calls: ApiCallRecord[] = [];
  readonly #world: World;
  readonly #rds: RdsModel;
  readonly #ecs: EcsModel;
  readonly #route53: Route53Model;
  readonly #cloudwatch: CloudWatchModel;
  readonly #dynamodb: DynamoDbModel;
  readonly #sns: SnsModel;
  readonly #options: Readonly<SimOptions>;
  readonly #models: ReadonlyMap<string, ServiceModel>;
  readonly #faults: FaultBook;
  readonly #listeners = new Set<(snapshot: CloudSnapshot) => void>();
  #fingerprint: string;

  constructor(options: SimOptions) {
    this.#options = Object.freeze({ ...options });
    this.#world = new World(options.plan, options.seed, options.incidents ?? [], options.rpoLagMs ?? 400);
    const initialWriter = options.initialWriter ?? 'primary';
    this.#rds = new RdsModel(this.#world, {
      headlessSecondary: options.headlessStandby ?? false,
      initialWriter,
      oldPrimarySync: options.oldPrimarySync ?? 'connected',
      rebuildAfterMs: options.rebuildAfterMs,
      promotionStuck: options.promotionStuck ?? false,
    });
    this.#ecs = new EcsModel(this.#world, {
      standbyDesired: options.standbyDesired ?? 1,
      initialWriter,
      capacity: options.ecsCapacity ?? {},
    });
    const autoscaling = new AutoScalingModel(this.#world, this.#ecs);
    this.#route53 = new Route53Model(this.#world, { initialWriter, syncMs: options.route53SyncMs });
    this.#cloudwatch = new CloudWatchModel(this.#world, this.#rds.db, options.metricsMissing);
    this.#dynamodb = new DynamoDbModel(this.#world, options.tables ?? DEFAULT_TABLES);
    this.#sns = new SnsModel(this.#world);
    this.#models = new Map(
      [this.#rds, this.#ecs, autoscaling, this.#route53, this.#cloudwatch, this.#dynamodb, this.#sns].map(
        (m) => [m.service, m] as const,
      ),
    );
    this.#faults = new FaultBook(options.faults ?? []);
    this.#fingerprint = fingerprint(this.#build(Date.now()));
  }

  /** The options the cloud was built with (a frozen shallow copy). */
  get options(): Readonly<SimOptions> {
    return this.#options;
  }

  /** Routes every client the registry has built, or will build, to this cloud. */
  attach(registry: ClientRegistry): void {
    registry.decorate((client) => this.#install(client));
  }

  /** The cloud as it is now, time-driven transitions included. */
  snapshot(): CloudSnapshot {
    return this.#observe(Date.now());
  }

  /**
   * Called after every change: a mutating call, or a time-driven transition (a task started, a
   * promotion finished) the moment a call or snapshot() observes it. Returns the unsubscriber.
   */
  onChange(listener: (snapshot: CloudSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #install(client: DecoratableClient): void {
    Object.assign(client.config, { credentials: async () => SIMULATED_CREDENTIALS });
    client.middlewareStack.add(
      (_next: unknown, context: HandlerExecutionContext) =>
        async (args: DeserializeHandlerArguments<object>) =>
          this.#answer(await client.config.region(), context, args.input as Record<string, unknown>),
      { step: 'deserialize', priority: 'high', name: MIDDLEWARE_NAME, override: true },
    );
  }

  async #answer(
    clientRegion: string,
    context: HandlerExecutionContext,
    input: Record<string, unknown>,
  ): Promise<{ output: object; response: unknown }> {
    const command = (context.commandName ?? 'UnknownCommand').replace(/Command$/, '');
    const service = SERVICE_BY_CLIENT[context.clientName ?? ''];
    const model = service && this.#models.get(service);
    const region = service === 'route53' ? ROUTE53_ENDPOINT_REGION : clientRegion;
    const started = Date.now();
    const signal = abortSignalOf(context);
    const world = this.#world;
    let outcome = 'ok';
    try {
      if (!model)
        throw new SimulatorGapError(`SimulatedCloud does not implement ${context.clientName} ${command}`);
      const fault = world.isDown(region, 'apis-unreachable', started)
        ? 'timeout'
        : this.#faults.take(command, region, started);
      if (fault === 'timeout') {
        const hang = world.rng('latency').latency(LATENCIES.unreachableHang);
        await sleep(hang, signal);
        throw timeoutError(hang);
      }
      await sleep(world.rng('latency').latency(LATENCIES.apiCall), signal);
      const requestId = world.requestId();
      if (fault) throw awsError(model.service, faultSpec(fault, model.service, requestId));
      const handler = model.handlers[command];
      if (!handler)
        throw new SimulatorGapError(`SimulatedCloud does not implement ${context.clientName} ${command}`);
      const now = Date.now();
      this.#advance(now);
      try {
        const body = handler(input, region, now);
        const $metadata = { httpStatusCode: 200, requestId, attempts: 1, totalRetryDelay: 0 };
        return { output: { $metadata, ...body }, response: httpResponse(requestId) };
      } catch (error) {
        if (!(error instanceof SimFault)) throw error;
        const { code: name, message, status, extra } = error;
        throw awsError(model.service, {
          name,
          message,
          status,
          fault: status >= 500 ? 'server' : 'client',
          requestId,
          extra,
        });
      }
    } catch (error) {
      outcome = (error as Error).name || 'Error';
      throw error;
    } finally {
      const at = Date.now();
      this.calls.push({ at: started, region, command, outcome, durationMs: at - started });
      this.#observe(at);
    }
  }

  #advance(now: number): void {
    for (const model of this.#models.values()) model.advance(now);
  }

  #observe(now: number): CloudSnapshot {
    this.#advance(now);
    const snapshot = this.#build(now);
    const print = fingerprint(snapshot);
    if (print !== this.#fingerprint) {
      this.#fingerprint = print;
      for (const listener of this.#listeners) listener(snapshot);
    }
    return snapshot;
  }

  #build(now: number): CloudSnapshot {
    return {
      at: new Date(now).toISOString(),
      database: { globalClusterIdentifier: this.#rds.db.id, ...this.#rds.db.snapshot(now) },
      services: this.#ecs.snapshot(now),
      dns: this.#route53.snapshot(),
      publishedMetrics: this.#cloudwatch.snapshot(),
      tables: this.#dynamodb.snapshot(),
      notifications: this.#sns.snapshot(),
    };
  }
}

/** Everything but the clock: a new fingerprint means something changed. */
function fingerprint(snapshot: CloudSnapshot): string {
  return JSON.stringify({ ...snapshot, at: undefined });
}
