import type { DescribeServicesRequest, Failure, Service, UpdateServiceRequest } from '@aws-sdk/client-ecs';
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
  tasks: Task[];
  /** Service events, oldest first: each failed placement attempt. */
  events: { id: string; at: number }[];
}

/** The capacity bounds Application Auto Scaling enforces on a service, if it manages it. */
export interface Scaler {
  bounds(service: EcsService): { min: number; max: number; suspended?: ScalingSuspended } | undefined;
}

/** The last segment of a name-or-ARN: cluster/NAME, service/CLUSTER/NAME, or a plain name. */
const lastSegment = (nameOrArn: string) => nameOrArn.split('/').pop() ?? nameOrArn;

export class EcsModel implements ServiceModel {
  readonly service = 'ecs' as const;
  readonly services: EcsService[] = [];
  readonly handlers: Record<string, Handler>;
  scaler: Scaler = { bounds: () => undefined };
  /** Scaler corrections due later: it undoes a desiredCount set outside its bounds. */
  #corrections: { at: number; service: EcsService }[] = [];

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
      DescribeServices: op<DescribeServicesRequest>((input, region, now) => {
        const cluster = this.#cluster(input.cluster, region);
        const names = input.services ?? [];
        if (names.length === 0 || names.length > 10) {
          throw new SimFault('InvalidParameterException', 'services must name between 1 and 10 services.');
        }
        const services: Service[] = [];
        const failures: Failure[] = [];
        for (const requested of names) {
          const found = this.find(region, cluster, lastSegment(requested));
          if (found) services.push(this.view(found, now));
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
          this.setDesired(found, input.desiredCount, now);
          const bounds = this.scaler.bounds(found);
          if (bounds && (input.desiredCount < bounds.min || input.desiredCount > bounds.max)) {
            const at =
              now + this.world.rng('autoscaling').latency(this.world.latencies.autoScalingCorrection);
            this.#corrections.push({ at, service: found });
          }
        }
        return { service: this.view(found, now) };
      }),
    };
  }

  /** Scaler corrections and placement retries, in time order: both change what holds capacity. */
  advance(now: number): void {
    for (;;) {
      this.#corrections.sort((a, b) => a.at - b.at);
      const correction = this.#corrections[0];
      const retry = this.#nextRetry();
      const at = Math.min(
        correction?.at ?? Number.POSITIVE_INFINITY,
        retry?.task.retryAt ?? Number.POSITIVE_INFINITY,
      );
      if (at > now) break;
      if (correction && correction.at === at) {
        this.#corrections.shift();
        const bounds = this.scaler.bounds(correction.service);
        const { service } = correction;
        if (bounds) this.setDesired(service, Math.min(bounds.max, Math.max(bounds.min, service.desired)), at);
      } else if (retry) {
        const { service, task } = retry;
        service.events.push({ id: this.world.rng('ecs-events').uuid(), at });
        if (service.events.length > MAX_EVENTS) service.events.shift();
        const next = this.#launch(service, at);
        task.readyAt = next.readyAt;
        task.retryAt = next.retryAt;
      }
    }
    for (const svc of this.services)
      svc.tasks = svc.tasks.filter((t) => t.goneAt === undefined || t.goneAt > now);
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
          retryAt: at + this.world.rng('ecs-placement').latency(this.world.latencies.ecsPlacementRetry),
        };
    }
    return {
      readyAt: readyAt ?? at + this.world.rng('ecs-tasks').latency(this.world.latencies.ecsTaskStart),
    };
  }

  /**
   * Scale-up starts each new task with its own start latency. Scale-down stops pending tasks at
   * once and drains running ones, which count as running until the drain ends (as in ECS, where a
   * stopping task stays RUNNING while its target deregisters).
   */
  setDesired(svc: EcsService, desired: number, at: number): void {
    const live = svc.tasks.filter((t) => t.goneAt === undefined);
    const rng = this.world.rng('ecs-tasks');
    for (let i = live.length; i < desired; i++) svc.tasks.push(this.#launch(svc, at));
    let excess = live.length - desired;
    const newestFirst = [...live].sort((a, b) => b.readyAt - a.readyAt);
    for (const task of newestFirst) {
      if (excess <= 0) break;
      if (task.readyAt > at) svc.tasks.splice(svc.tasks.indexOf(task), 1);
      else task.goneAt = at + rng.latency(this.world.latencies.ecsDrain);
      excess--;
    }
    if (desired !== svc.desired) svc.updatedAt = new Date(at);
    svc.desired = desired;
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

  view(svc: EcsService, now: number): Service {
    const { running, pending } = this.counts(svc, now);
    return serviceView(svc, running, pending);
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
