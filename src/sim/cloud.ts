import type { DeserializeHandlerArguments, HandlerExecutionContext } from '@smithy/types';
import type { ClientRegistry, DecoratableClient } from '../aws/clients.js';
import type { ResolverRegistry } from '../dns-answers/resolver.js';
import { SimulatedNameServers } from '../dns-answers/simulated.js';
import { ArcClusterModel, EndpointHealthChecks } from '../traffic-modes/simulated.js';
import { AutoScalingModel, type OwnersScalingActivity } from './autoscaling.js';
import { CloudWatchModel } from './cloudwatch.js';
import { DEFAULT_TABLES, DynamoDbModel } from './dynamodb.js';
import { EcsModel } from './ecs.js';
import { blackholed, ConnectionPool, hangUnanswered, httpTimeoutsOf, type Unanswered } from './endpoints.js';
import { abortError, awsError, type ServiceName, SimFault, SimulatorGapError } from './errors.js';
import { EventBridgeModel, type PublishedEvent } from './eventbridge.js';
import { type LambdaInvocation, LambdaModel } from './lambda.js';
import { RateLimiter, taskLaunchesFor } from './rate-limits.js';
import { RdsModel } from './rds.js';
import { Route53Model } from './route53.js';
import { capacityUnderQuotas, ServiceQuotasModel } from './service-quotas.js';
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
import type {
  ApiCallRecord,
  CloudSnapshot,
  DatabaseSnapshot,
  EndpointBlackhole,
  SimOptions,
} from './types.js';
import { type ServiceModel, World } from './world.js';

export type {
  ApiCallRecord,
  CloudSnapshot,
  DatabaseOverrides,
  DatabaseSnapshot,
  EndpointBlackhole,
  FaultRule,
  Incident,
  SimOptions,
  SimTable,
} from './types.js';

/** Drills cannot reach AWS, but the SDK still signs every request: give it something to sign with. */
const SIMULATED_CREDENTIALS = {
  accessKeyId: 'ASIASIMULATEDCLOUD00',
  secretAccessKey: 'simulated',
  sessionToken: 'simulated',
};

const MIDDLEWARE_NAME = 'simulatedCloudTransport';

/**
 * A two-region AWS (Aurora global database, ECS, Application Auto Scaling, Route 53 with its
 * health checks, a Route 53 ARC cluster, CloudWatch, DynamoDB, SNS) behind the real SDK v3 clients. Its middleware sits at step `deserialize`,
 * inside the SDK's serializer, signer and retry strategy, so a simulated Throttling is retried by
 * the SDK itself. All time is Date.now() and setTimeout: under fake timers a drill runs in
 * virtual time.
 */
export class SimulatedCloud {
  readonly calls: ApiCallRecord[] = [];
  readonly #world: World;
  readonly #rds: RdsModel;
  readonly #ecs: EcsModel;
  readonly #autoscaling: AutoScalingModel;
  readonly #route53: Route53Model;
  readonly #arc: ArcClusterModel;
  readonly #cloudwatch: CloudWatchModel;
  readonly #dynamodb: DynamoDbModel;
  readonly #sns: SnsModel;
  readonly #lambda: LambdaModel;
  readonly #serviceQuotas: ServiceQuotasModel;
  readonly #eventbridge: EventBridgeModel;
  readonly #options: Readonly<SimOptions>;
  readonly #models: ReadonlyMap<string, ServiceModel>;
  readonly #faults: FaultBook;
  /** AWS's request rates as token buckets (src/sim/rate-limits.ts). */
  readonly #limits: RateLimiter;
  readonly #blackholes: readonly EndpointBlackhole[];
  /** Each client's open keep-alive connections (src/sim/endpoints.ts). */
  readonly #pool: ConnectionPool;
  readonly #listeners = new Set<(snapshot: CloudSnapshot) => void>();
  #fingerprint: string;

  constructor(options: SimOptions) {
    this.#options = Object.freeze({ ...options });
    this.#world = new World(
      options.plan,
      options.seed,
      options.incidents ?? [],
      options.rpoLagMs ?? 400,
      options.profile ?? 'typical',
    );
    const initialWriter = options.initialWriter ?? 'primary';
    // Each database takes the cloud's options, with what SimOptions.databaseOverrides changes for it.
    this.#rds = new RdsModel(this.#world, (id) => {
      const o = { ...options, ...options.databaseOverrides?.[id] };
      return {
        headlessSecondary: o.headlessStandby ?? false,
        initialWriter,
        oldPrimarySync: options.oldPrimarySync ?? 'connected',
        rebuildAfterMs: options.rebuildAfterMs,
        promotionStuck: o.promotionStuck ?? false,
        ...(o.engineVersions ? { engineVersions: o.engineVersions } : {}),
        ...(o.globalClusterReadLagMs === undefined ? {} : { globalReadLagMs: o.globalClusterReadLagMs }),
        ...(o.promotionMs === undefined ? {} : { promotionMs: o.promotionMs }),
      };
    });
    this.#ecs = new EcsModel(this.#world, {
      standbyDesired: options.standbyDesired ?? 1,
      initialWriter,
      capacity: capacityUnderQuotas(options.ecsCapacity ?? {}, options.quotas),
      ...taskLaunchesFor(options.rateLimits),
      ...(options.quotas?.taskCpuUnits === undefined ? {} : { taskCpuUnits: options.quotas.taskCpuUnits }),
    });
    const autoscaling = new AutoScalingModel(this.#world, this.#ecs, {
      initialWriter,
      scheduledActions: options.scheduledActions ?? [],
      demand: options.ecsDemand ?? [],
    });
    this.#autoscaling = autoscaling;
    const arc = new ArcClusterModel(this.#world, { initialWriter, ...options.arc });
    this.#arc = arc;
    const endpointChecks = new EndpointHealthChecks(this.#world);
    this.#route53 = new Route53Model(this.#world, {
      initialWriter,
      syncMs: options.route53SyncMs,
      health: {
        checkOf: (record, region) =>
          record.shift.mode === 'routing-control'
            ? arc.healthCheckIdOf(record.shift.routingControlArns[region] ?? '')
            : record.shift.mode === 'health-check'
              ? record.shift.healthCheckIds[region]
              : undefined,
        seenByDns: (id, now) => arc.seenByDns(id, now) ?? endpointChecks.seenByDns(id, now),
      },
    });
    // The scaler's load follows what the name servers answer (src/sim/traffic-share.ts); Route 53
    // is brought up to the evaluation's moment first (its advance only applies what is due).
    autoscaling.traffic = (at) => {
      this.#route53.advance(at);
      return this.#route53.snapshot(at);
    };
    this.#cloudwatch = new CloudWatchModel(this.#world, this.#rds.dbs, options.metricsMissing);
    this.#dynamodb = new DynamoDbModel(this.#world, options.tables ?? DEFAULT_TABLES);
    this.#sns = new SnsModel(this.#world);
    this.#lambda = new LambdaModel(this.#world, options.lambdaFunctions);
    this.#serviceQuotas = new ServiceQuotasModel(this.#world, this.#ecs, options.quotas);
    const quotas = this.#serviceQuotas;
    this.#cloudwatch.awsPublished = (...query) => quotas.usageSeries(...query);
    this.#eventbridge = new EventBridgeModel(this.#world, options.eventBridge);
    this.#models = new Map(
      [
        this.#rds,
        this.#ecs,
        autoscaling,
        this.#route53,
        arc,
        this.#cloudwatch,
        this.#dynamodb,
        this.#sns,
        this.#lambda,
        this.#serviceQuotas,
        this.#eventbridge,
      ].map((m) => [m.service, m] as const),
    );
    this.#faults = new FaultBook(options.faults ?? []);
    this.#limits = new RateLimiter(options.rateLimits ?? 'aws', this.#world.account);
    this.#blackholes = options.blackholes ?? [];
    this.#pool = new ConnectionPool(() => this.#world.latencies.keepAliveIdle.maxMs);
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

  /**
   * Puts this cloud's authoritative name servers in the registry: they answer from what Route 53
   * serves after propagation (`snapshot().dns`), weighted answers drawn from the cloud's seed.
   */
  attachResolver(registry: ResolverRegistry): void {
    const random = this.#world.rng('dns-answers');
    registry.use(
      new SimulatedNameServers(
        this.#options.plan.dns.nameServers,
        () => this.snapshot().dns,
        () => random.next(),
      ),
    );
  }

  /** The owner's own scaling activities so far (scheduled actions, target tracking). */
  ownersScaling(): readonly OwnersScalingActivity[] {
    return this.#autoscaling.ownersScaling();
  }

  /** Every Route 53 ARC routing control's state now, by ARN (not part of the snapshot: DNS answers show its effect). */
  routingControlStates(): Record<string, 'On' | 'Off'> {
    return this.#arc.states();
  }

  /** Every event EventBridge took (PutEvents), in arrival order; not part of the snapshot. */
  publishedEvents(): readonly PublishedEvent[] {
    return this.#eventbridge.published;
  }

  /** Every Lambda invocation (the plan's hooks), in the order they started; not part of the snapshot. */
  lambdaInvocations(): readonly LambdaInvocation[] {
    return this.#lambda.invocations;
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
          this.#answer(client, await client.config.region(), context, args.input as Record<string, unknown>),
      { step: 'deserialize', priority: 'high', name: MIDDLEWARE_NAME, override: true },
    );
  }

  async #answer(
    client: DecoratableClient,
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
    let lostResponse = false;
    let throttledBy: ApiCallRecord['throttledBy'];
    /** An HTTP answer came back: the connection stays open for the next request. */
    let answered = false;
    try {
      if (!model)
        throw new SimulatorGapError(`SimulatedCloud does not implement ${context.clientName} ${command}`);
      const unanswered = this.#unanswered(model.service, region, started);
      const fault = unanswered ? undefined : this.#faults.take(command, region, started);
      // A request written into a connection the client had pooled waits for an answer whatever
      // happened to the path since; only a new connection waits for a TCP handshake.
      const pooled = this.#pool.take(client, region, started);
      if (unanswered) {
        const how: Unanswered = pooled ? 'no-answer' : unanswered;
        return await hangUnanswered(how, await httpTimeoutsOf(client), signal);
      }
      // A 'timeout' fault: this one request is accepted and never answered.
      if (fault === 'timeout') return await hangUnanswered('no-answer', await httpTimeoutsOf(client), signal);
      // Modelling choice: a request takes effect when it arrives, at the end of its latency, and
      // a request aborted before that never arrives: no change is applied and the caller gets
      // AbortError. On AWS a request that already reached the service may still land after the
      // caller gave up; the orchestrator covers that by reading back (never by assuming "not
      // changed"); the 'lost-response' fault produces that case (applied, answer lost), an abort
      // does not. A hang into an unreachable endpoint (above) never arrives either.
      await sleep(world.rng('latency').latency(world.latencies.apiCall), signal);
      if (signal?.aborted) throw abortError();
      answered = true;
      const requestId = world.requestId();
      if (fault && fault !== 'lost-response')
        throw awsError(model.service, faultSpec(fault, model.service, requestId));
      const handler = model.handlers[command];
      if (!handler)
        throw new SimulatorGapError(`SimulatedCloud does not implement ${context.clientName} ${command}`);
      const now = Date.now();
      // AWS's request rates: a request its bucket refuses is answered with the service's
      // throttling error and not applied (src/sim/rate-limits.ts).
      const throttle = this.#limits.take(model.service, command, region, input, now);
      if (throttle) {
        throttledBy = throttle.limit;
        throw awsError(model.service, { ...throttle.error, fault: 'client', requestId });
      }
      this.#advance(now);
      try {
        const produced = handler(input, region, now, signal);
        // Most services answer at once; Lambda's Invoke runs the function first (src/sim/lambda.ts).
        const body = produced instanceof Promise ? await produced : produced;
        if (fault === 'lost-response') {
          // Applied: the change stands. The answer is lost on the way back, so the caller waits
          // as for any request never answered: until its client's requestTimeout (or its abort).
          lostResponse = true;
          answered = false;
          return await hangUnanswered('no-answer', await httpTimeoutsOf(client), signal, now - started);
        }
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
      if (answered) this.#pool.release(client, region, at);
      const resource = resourceOf(command, input);
      this.calls.push({
        at: started,
        region,
        command,
        outcome,
        durationMs: at - started,
        ...(resource ? { resource } : {}),
        ...(lostResponse ? { lostResponse: true as const } : {}),
        ...(throttledBy ? { throttledBy } : {}),
      });
      this.#observe(at);
    }
  }

  /**
   * How a request to `service`'s endpoint in `region` goes unanswered at `at`, if it does.
   * apis-unreachable and control-plane-silent take no connection (no TCP answer: modelling
   * choice for the incidents' "hangs"); SimOptions.blackholes say per endpoint.
   */
  #unanswered(service: ServiceName, region: string, at: number): Unanswered | undefined {
    if (this.#world.isDown(region, 'apis-unreachable', at)) return 'no-connection';
    if (service === 'route53' && this.#world.isDown(region, 'control-plane-silent', at))
      return 'no-connection';
    return blackholed(this.#blackholes, service, region, at);
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
    const databases = this.#rds.dbs.map((db) => ({ globalClusterIdentifier: db.id, ...db.snapshot(now) }));
    return {
      at: new Date(now).toISOString(),
      database: databases[0] as DatabaseSnapshot,
      databases,
      services: this.#ecs.snapshot(now),
      dns: this.#route53.snapshot(now),
      publishedMetrics: this.#cloudwatch.snapshot(),
      tables: this.#dynamodb.snapshot(),
      notifications: this.#sns.snapshot(),
    };
  }
}

/** `service/CLUSTER/NAME` for the ECS and autoscaling calls that change a service, else undefined. */
function resourceOf(command: string, input: Record<string, unknown>): string | undefined {
  const last = (v: unknown) => String(v ?? '').replace(/.*\//, '');
  if (command === 'UpdateService')
    return `service/${last(input.cluster ?? 'default')}/${last(input.service)}`;
  if (command === 'RegisterScalableTarget' && typeof input.ResourceId === 'string') return input.ResourceId;
  return undefined;
}

/** Everything but the clock: a new fingerprint means something changed. */
function fingerprint(snapshot: CloudSnapshot): string {
  return JSON.stringify({ ...snapshot, at: undefined });
}
