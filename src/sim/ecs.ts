import type { DescribeServicesRequest, Failure, Service, UpdateServiceRequest } from '@aws-sdk/client-ecs';
import { describeTaskDefinition } from './ecs-task-definitions.js';
import { serviceView } from './ecs-view.js';
import { SimFault, SimulatorGapError } from './errors.js';
import type { CloudSnapshot, ScalingSuspended } from './types.js';
import { type Handler, op, type ServiceModel, type World } from './world.js';

/**
 * A task is pending until `readyAt`; a task being drained keeps running until `goneAt`. A task
 * that could not be placed has readyAt +Infinity and `retryAt`: it stops then and the scheduler
 * launches its replacement, which is placed only if capacity has freed up by that time.
 */
interface Task {
  readyAt: number;
  goneAt?: number;
  retryAt?: number;
}

export interface EcsOptions {
  standbyDesired: number;
  initialWriter: 'primary' | 'standby';
  /** Per region, the most tasks that can hold capacity (pending or running) across all services. */
  capacity: Readonly<Record<string, number>>;
  /** Task-level cpu (CPU units) of every service's task definition (src/sim/service-quotas.ts). */
  taskCpuUnits?: number;
  /** Fargate's task launch bucket (RATE_LIMITS.fargateTaskLaunches); absent when rate limits are off. */
  taskLaunches?: { burst: number; ratePerSecond: number };
}

/** DescribeServices returns at most the 100 most recent service events. */
const MAX_EVENTS = 100;

export interface EcsService {
  readonly region: string;
  readonly cluster: string;
  readonly name: string;
  readonly arn: string;
  readonly clusterArn: string;
  readonly taskDefinition: string;
  readonly deploymentId: string;
  readonly createdAt: Date;
  updatedAt: Date;
  desired: number;
  /**
   * Every desiredCount the service has had, oldest first, with when it was set: what an
   * eventually consistent DescribeServices may still answer for a while after a change.
   */
  history: { at: number; desired: number }[];
  tasks: Task[];
  /** Service events, oldest first: each failed placement attempt. */
  events: { id: string; at: number }[];
}

/**
 * Application Auto Scaling as ECS sees it: the bounds it keeps a service in, and its scaling
 * activities (target tracking, scheduled actions), which EcsModel runs in time order with its own
 * placement retries, since both change what holds capacity.
 */
export interface Scaler {
  bounds(service: EcsService): { min: number; max: number; suspended?: ScalingSuspended } | undefined;
  /** When the scaler next acts (an alarm evaluation, a scheduled action); +Infinity for never. */
  nextActivity(): number;
  /** Runs every activity due at `at`; afterwards nextActivity() is later than `at`. */
  act(at: number): void;
}

/** A past desiredCount is kept this long for stale reads; longer than any read-after-write lag. */
const HISTORY_MS = 10 * 60_000;

/** The last segment of a name-or-ARN: cluster/NAME, service/CLUSTER/NAME, or a plain name. */
const lastSegment = (nameOrArn: string) => nameOrArn.split('/').pop() ?? nameOrArn;

export class EcsModel implements ServiceModel {
  readonly service = 'ecs' as const;
  readonly services: EcsService[] = [];
  readonly handlers: Record<string, Handler>;
  /** Fargate launch tokens per region: what is left (negative: launches already queued) and when. */
  readonly #launchBuckets = new Map<string, { tokens: number; at: number }>();
  scaler: Scaler = {
    bounds: () => undefined,
    nextActivity: () => Number.POSITIVE_INFINITY,
    act: () => undefined,
  };

  constructor(
    private readonly world: World,
    private readonly options: EcsOptions,
  ) {
    const { plan, account } = world;
    const ids = world.rng('identifiers');
    const created = new Date(world.t0 - 30 * 86_400_000);
    const serving = options.initialWriter === 'standby' ? plan.regions.standby : plan.regions.primary;
    for (const svc of plan.services) {
      for (const region of world.regions) {
        const cluster = svc.cluster[region] ?? svc.name;
        const name = svc.service[region] ?? svc.name;
        // After a failover the old primary's services were scaled to zero (fenced).
        const idle = options.initialWriter === 'standby' ? 0 : options.standbyDesired;
        const desired = region === serving ? svc.activeCount : idle;
        const service: EcsService = {
          region,
          cluster,
          name,
          arn: `arn:aws:ecs:${region}:${account}:service/${cluster}/${name}`,
          clusterArn: `arn:aws:ecs:${region}:${account}:cluster/${cluster}`,
          taskDefinition: `arn:aws:ecs:${region}:${account}:task-definition/${name}:1`,
          deploymentId: `ecs-svc/${ids.chars(19, '0123456789')}`,
          createdAt: created,
          updatedAt: created,
          desired,
          history: [{ at: Number.NEGATIVE_INFINITY, desired }],
          tasks: [],
          events: [],
        };
        this.services.push(service);
        // Tasks beyond the region's capacity were never placed: they start failing at t0.
        for (let i = 0; i < desired; i++)
          service.tasks.push(this.#launch(service, world.t0, created.getTime()));
      }
    }
    this.handlers = {
      DescribeTaskDefinition: describeTaskDefinition(() => this.services, options.taskCpuUnits ?? 1024),
      DescribeServices: op<DescribeServicesRequest>((input, region, now) => {
        const cluster = this.#cluster(input.cluster, region);
        const names = input.services ?? [];
        if (names.length === 0 || names.length > 10) {
          throw new SimFault('InvalidParameterException', 'services must name between 1 and 10 services.');
        }
        const services: Service[] = [];
        const failures: Failure[] = [];
        // ECS API Reference (e.g. RunTask, CreateService): "The Amazon ECS API follows an eventual
        // consistency model ... the result of an API command you run that affects your Amazon ECS
        // resources might not be immediately visible to all subsequent commands you run." Modelled
        // on desiredCount: this read answers as of `lag` ago (latencies.ecsReadAfterWrite). Task
        // counts are read live.
        const lag = this.world.rng('ecs-consistency').latency(this.world.latencies.ecsReadAfterWrite);
        for (const requested of names) {
          const found = this.find(region, cluster, lastSegment(requested));
          if (found) services.push(this.view(found, now, lag));
          else {
            const arn = `arn:aws:ecs:${region}:${this.world.account}:service/${cluster}/${lastSegment(requested)}`;
            failures.push({ arn, reason: 'MISSING' });
          }
        }
        return { services, failures };
      }),
      UpdateService: op<UpdateServiceRequest>((input, region, now) => {
        const cluster = this.#cluster(input.cluster, region);
        const found = this.find(region, cluster, lastSegment(input.service ?? ''));
        if (!found) throw new SimFault('ServiceNotFoundException', 'Service not found.');
        if (input.taskDefinition !== undefined || input.forceNewDeployment) {
          throw new SimulatorGapError(
            'SimulatedCloud does not implement new ECS deployments (taskDefinition, forceNewDeployment)',
          );
        }
        if (input.desiredCount !== undefined) {
          if (input.desiredCount < 0)
            throw new SimFault('InvalidParameterException', 'desiredCount must be >= 0.');
          // Accepted even outside the scalable target's [min, max]: ECS does not check them, and
          // Application Auto Scaling moves the count back only with its next scaling activity
          // (ECS Developer Guide, service auto scaling, quoted in aws/containers-roadmap#2626).
          this.setDesired(found, input.desiredCount, now);
        }
        // The response is the write's own view: it shows the new desiredCount at once.
        return { service: this.view(found, now) };
      }),
    };
  }

  /** Scaling activities and placement retries, in time order: both change what holds capacity. */
  advance(now: number): void {
    for (;;) {
      const retry = this.#nextRetry();
      const retryAt = retry?.task.retryAt ?? Number.POSITIVE_INFINITY;
      const scalerAt = this.scaler.nextActivity();
      const at = Math.min(retryAt, scalerAt);
      if (at > now) break;
      if (scalerAt === at) {
        this.scaler.act(at);
      } else if (retry) {
        const { service, task } = retry;
        service.events.push({ id: this.world.rng('ecs-events').uuid(), at });
        if (service.events.length > MAX_EVENTS) service.events.shift();
        const next = this.#launch(service, at);
        task.readyAt = next.readyAt;
        task.retryAt = next.retryAt;
      }
    }
    for (const svc of this.services) {
      svc.tasks = svc.tasks.filter((t) => t.goneAt === undefined || t.goneAt > now);
      // Keep the last change older than the window: it is what a read that far back answers.
      const keepFrom = svc.history.findLastIndex((h) => h.at <= now - HISTORY_MS);
      if (keepFrom > 0) svc.history.splice(0, keepFrom);
    }
  }

  #nextRetry(): { service: EcsService; task: Task } | undefined {
    let next: { service: EcsService; task: Task } | undefined;
    for (const service of this.services) {
      for (const task of service.tasks) {
        if (task.retryAt !== undefined && (!next || task.retryAt < (next.task.retryAt ?? 0)))
          next = { service, task };
      }
    }
    return next;
  }

  /**
   * One stream per purpose AND per service: the n-th task a service starts gets the same start
   * latency whatever else the workflow did first. The benchmark pairs the workflow with a
   * sequential variant of it on the same seed; with one shared stream, the variant's different
   * order of fencing and scaling would hand each service other draws, and the pairing would
   * compare luck instead of workflows.
   */
  #rng(purpose: string, service: EcsService) {
    return this.world.rng(`${purpose}|${service.region}/${service.cluster}/${service.name}`);
  }

  /**
   * A task launched at `at`: placed (ready at `readyAt`, or after a start latency) when its
   * region has capacity left, else pending until its attempt fails.
   */
  #launch(service: EcsService, at: number, readyAt?: number): Task {
    const capacity = this.options.capacity[service.region];
    if (capacity !== undefined) {
      let used = 0;
      for (const svc of this.services) {
        if (svc.region !== service.region) continue;
        used += svc.tasks.filter(
          (t) => t.retryAt === undefined && (t.goneAt === undefined || t.goneAt > at),
        ).length;
      }
      if (used >= capacity)
        return {
          readyAt: Number.POSITIVE_INFINITY,
          retryAt: at + this.#rng('ecs-placement', service).latency(this.world.latencies.ecsPlacementRetry),
        };
    }
    return {
      readyAt:
        readyAt ??
        at +
          this.#launchWaitMs(service.region, at) +
          this.#rng('ecs-tasks', service).latency(this.world.latencies.ecsTaskStart),
    };
  }

  /**
   * Fargate's task launch rate (RATE_LIMITS.fargateTaskLaunches): a token bucket per account per
   * region. A launch past the bucket waits for its token, in order; the debt carries over, so a
   * scale-up of hundreds of tasks starts them at the sustained rate after the burst.
   */
  #launchWaitMs(region: string, at: number): number {
    const limit = this.options.taskLaunches;
    if (!limit) return 0;
    const bucket = this.#launchBuckets.get(region) ?? { tokens: limit.burst, at };
    const tokens = Math.min(limit.burst, bucket.tokens + ((at - bucket.at) / 1000) * limit.ratePerSecond) - 1;
    this.#launchBuckets.set(region, { tokens, at });
    return tokens >= 0 ? 0 : Math.ceil((-tokens / limit.ratePerSecond) * 1000);
  }

  /**
   * Scale-up starts each new task with its own start latency. Scale-down stops pending tasks at
   * once and drains running ones, which count as running until the drain ends (as in ECS, where a
   * stopping task stays RUNNING while its target deregisters).
   */
  setDesired(svc: EcsService, desired: number, at: number): void {
    const live = svc.tasks.filter((t) => t.goneAt === undefined);
    const rng = this.#rng('ecs-drain', svc);
    for (let i = live.length; i < desired; i++) svc.tasks.push(this.#launch(svc, at));
    let excess = live.length - desired;
    const newestFirst = [...live].sort((a, b) => b.readyAt - a.readyAt);
    for (const task of newestFirst) {
      if (excess <= 0) break;
      if (task.readyAt > at) svc.tasks.splice(svc.tasks.indexOf(task), 1);
      else task.goneAt = at + rng.latency(this.world.latencies.ecsDrain);
      excess--;
    }
    if (desired !== svc.desired) {
      svc.updatedAt = new Date(at);
      svc.history.push({ at, desired });
    }
    svc.desired = desired;
  }

  /** The desiredCount as of `at`: what a read that lags behind the latest writes answers. */
  desiredAt(svc: EcsService, at: number): number {
    let desired = svc.history[0]?.desired ?? svc.desired;
    for (const h of svc.history) if (h.at <= at) desired = h.desired;
    return desired;
  }

  counts(svc: EcsService, now: number): { running: number; pending: number } {
    let running = 0;
    let pending = 0;
    for (const t of svc.tasks) {
      if (t.readyAt > now) pending++;
      else if (t.goneAt === undefined || t.goneAt > now) running++;
    }
    return { running, pending };
  }

  /** DescribeServices' view of `svc`, its desiredCount as seen `lagMs` ago (0: the latest). */
  view(svc: EcsService, now: number, lagMs = 0): Service {
    const { running, pending } = this.counts(svc, now);
    return serviceView(svc, running, pending, lagMs > 0 ? this.desiredAt(svc, now - lagMs) : svc.desired);
  }

  snapshot(now: number): CloudSnapshot['services'] {
    return this.services.map((svc) => ({
      region: svc.region,
      cluster: svc.cluster,
      service: svc.name,
      desired: svc.desired,
      ...this.counts(svc, now),
      minCapacity: this.scaler.bounds(svc)?.min ?? null,
      suspended: this.scaler.bounds(svc)?.suspended ?? null,
    }));
  }

  find(region: string, cluster: string, name: string): EcsService | undefined {
    return this.services.find((s) => s.region === region && s.cluster === cluster && s.name === name);
  }

  #cluster(nameOrArn: string | undefined, region: string): string {
    const cluster = lastSegment(nameOrArn ?? 'default');
    if (!this.services.some((s) => s.region === region && s.cluster === cluster)) {
      throw new SimFault('ClusterNotFoundException', 'Cluster not found.');
    }
    return cluster;
  }
}
