import type { DescribeServicesRequest, Failure, Service, UpdateServiceRequest } from '@aws-sdk/client-ecs';
import { SimFault, SimulatorGapError } from './errors.js';
import { LATENCIES } from './latencies.js';
import type { CloudSnapshot } from './types.js';
import { type Handler, op, type ServiceModel, type World } from './world.js';

/** A task is pending until `readyAt`; a task being drained keeps running until `goneAt`. */
interface Task {
  readyAt: number;
  goneAt?: number;
}

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
}

/** The capacity bounds Application Auto Scaling enforces on a service, if it manages it. */
export interface Scaler {
  bounds(service: EcsService): { min: number; max: number } | undefined;
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
    standbyDesired: number,
  ) {
    const { plan, account } = world;
    const ids = world.rng('identifiers');
    const created = new Date(world.t0 - 30 * 86_400_000);
    for (const svc of plan.services) {
      for (const region of world.regions) {
        const cluster = svc.cluster[region] ?? svc.name;
        const name = svc.service[region] ?? svc.name;
        const desired = region === plan.regions.primary ? svc.activeCount : standbyDesired;
        this.services.push({
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
          tasks: Array.from({ length: desired }, () => ({ readyAt: created.getTime() })),
        });
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
            const at = now + this.world.rng('autoscaling').latency(LATENCIES.autoScalingCorrection);
            this.#corrections.push({ at, service: found });
          }
        }
        return { service: this.view(found, now) };
      }),
    };
  }

  advance(now: number): void {
    this.#corrections.sort((a, b) => a.at - b.at);
    while (this.#corrections[0] && this.#corrections[0].at <= now) {
      const { at, service } = this.#corrections.shift() as { at: number; service: EcsService };
      const bounds = this.scaler.bounds(service);
      if (bounds) this.setDesired(service, Math.min(bounds.max, Math.max(bounds.min, service.desired)), at);
    }
    for (const svc of this.services)
      svc.tasks = svc.tasks.filter((t) => t.goneAt === undefined || t.goneAt > now);
  }

  /**
   * Scale-up starts each new task with its own start latency. Scale-down stops pending tasks at
   * once and drains running ones, which count as running until the drain ends (as in ECS, where a
   * stopping task stays RUNNING while its target deregisters).
   */
  setDesired(svc: EcsService, desired: number, at: number): void {
    const live = svc.tasks.filter((t) => t.goneAt === undefined);
    const rng = this.world.rng('ecs-tasks');
    for (let i = live.length; i < desired; i++)
      svc.tasks.push({ readyAt: at + rng.latency(LATENCIES.ecsTaskStart) });
    let excess = live.length - desired;
    const newestFirst = [...live].sort((a, b) => b.readyAt - a.readyAt);
    for (const task of newestFirst) {
      if (excess <= 0) break;
      if (task.readyAt > at) svc.tasks.splice(svc.tasks.indexOf(task), 1);
      else task.goneAt = at + rng.latency(LATENCIES.ecsDrain);
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
    return {
      serviceArn: svc.arn,
      serviceName: svc.name,
      clusterArn: svc.clusterArn,
      loadBalancers: [],
      serviceRegistries: [],
      status: 'ACTIVE',
      desiredCount: svc.desired,
      runningCount: running,
      pendingCount: pending,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      platformFamily: 'Linux',
      taskDefinition: svc.taskDefinition,
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        maximumPercent: 200,
        minimumHealthyPercent: 100,
      },
      // A desiredCount change adds no deployment: there is one PRIMARY while tasks start or drain.
      deployments: [
        {
          id: svc.deploymentId,
          status: 'PRIMARY',
          taskDefinition: svc.taskDefinition,
          desiredCount: svc.desired,
          pendingCount: pending,
          runningCount: running,
          failedTasks: 0,
          createdAt: svc.createdAt,
          updatedAt: svc.updatedAt,
          launchType: 'FARGATE',
          platformVersion: '1.4.0',
          platformFamily: 'Linux',
          rolloutState: 'COMPLETED',
          rolloutStateReason: `ECS deployment ${svc.deploymentId} completed.`,
        },
      ],
      events: [],
      createdAt: svc.createdAt,
      schedulingStrategy: 'REPLICA',
      deploymentController: { type: 'ECS' },
      enableExecuteCommand: false,
      healthCheckGracePeriodSeconds: 60,
    };
  }

  snapshot(now: number): CloudSnapshot['services'] {
    return this.services.map((svc) => ({
      region: svc.region,
      cluster: svc.cluster,
      service: svc.name,
      desired: svc.desired,
      ...this.counts(svc, now),
      minCapacity: this.scaler.bounds(svc)?.min ?? null,
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
