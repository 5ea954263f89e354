import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
  type ScalableTarget,
} from '@aws-sdk/client-application-auto-scaling';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  type Failure,
  type Service,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { raisedCapacity, type ScalableCapacity } from '../decisions/capacity.js';
import { AwsRequestError } from '../errors.js';
import { registerClient } from './clients.js';
import { awsCall } from './translate.js';

// Builds this service's clients in ClientRegistry: bundled only where this module is (src/aws/clients.ts).
registerClient('ecs', ECSClient);
registerClient('autoscaling', ApplicationAutoScalingClient);

/**
 * Typed helpers over ECS and Application Auto Scaling, shared by every step that reads or changes
 * a service's capacity (scale-up in the target, fencing in the old primary, readiness, verification).
 * `options.abortSignal` lets best-effort callers bound a call into the failed region.
 */

export interface EcsServiceState {
  cluster: string;
  service: string;
  desired: number;
  running: number;
  pending: number;
  deployments: number;
}

export interface ServiceRef {
  cluster: string;
  service: string;
}

/** How a service places its tasks, as DescribeServices shows it: what readiness judges capacity by. */
export interface ServicePlacement {
  /** FARGATE, EC2, EXTERNAL; null when a capacity provider strategy places the tasks instead. */
  launchType: string | null;
  capacityProviders: string[];
  taskDefinition: string | null;
  /** awsvpc subnets of its network configuration; null when it has no awsvpc configuration. */
  subnets: number | null;
}

/** A service's counts with its placement: one DescribeServices answers both. */
export interface DescribedService extends EcsServiceState {
  placement: ServicePlacement;
}

function placementOf(svc: Service): ServicePlacement {
  const strategy = svc.capacityProviderStrategy ?? [];
  return {
    launchType: svc.launchType ?? null,
    capacityProviders: strategy.map((s) => s.capacityProvider ?? '(unnamed)'),
    taskDefinition: svc.taskDefinition ?? null,
    subnets: svc.networkConfiguration?.awsvpcConfiguration?.subnets?.length ?? null,
  };
}

const countsOnly = ({ placement: _, ...state }: DescribedService): EcsServiceState => state;

export interface CallOptions {
  abortSignal?: AbortSignal;
}

/** DescribeServices accepts at most this many services per call. */
export const DESCRIBE_SERVICES_BATCH = 10;

const SCALABLE_DIMENSION = 'ecs:service:DesiredCount';

export function scalableResourceId(cluster: string, service: string): string {
  return `service/${cluster}/${service}`;
}

function nameOf(arnOrName: string): string {
  return arnOrName.slice(arnOrName.lastIndexOf('/') + 1);
}

function unavailable(cluster: string, failures: readonly Failure[]): AwsRequestError {
  const named = failures.map((f) => {
    const detail = f.detail ? ` (${f.detail})` : '';
    return `"${nameOf(f.arn ?? '(unknown)')}" is ${f.reason ?? 'unavailable'}${detail}`;
  });
  return new AwsRequestError(
    `DescribeServices: in ECS cluster "${cluster}", service ${named.join(', service ')}`,
  );
}

/**
 * Current counts of `names` in `cluster`, in the order asked. A service that does not exist, or
 * that was deleted (INACTIVE, DRAINING), fails with its name: nothing can be scaled there.
 */
export async function describeServices(
  ecs: ECSClient,
  cluster: string,
  names: readonly string[],
  options: CallOptions = {},
): Promise<EcsServiceState[]> {
  return (await describeServicesWithPlacement(ecs, cluster, names, options)).map(countsOnly);
}

/** describeServices with each service's placement (launch type, capacity providers, subnets). */
export async function describeServicesWithPlacement(
  ecs: ECSClient,
  cluster: string,
  names: readonly string[],
  options: CallOptions = {},
): Promise<DescribedService[]> {
  const batches: string[][] = [];
  for (let i = 0; i < names.length; i += DESCRIBE_SERVICES_BATCH) {
    batches.push(names.slice(i, i + DESCRIBE_SERVICES_BATCH));
  }
  const responses = await Promise.all(
    batches.map((services) =>
      awsCall('DescribeServices', () =>
        ecs.send(new DescribeServicesCommand({ cluster, services }), options),
      ),
    ),
  );

  const failures = responses.flatMap((r) => r.failures ?? []);
  if (failures.length > 0) throw unavailable(cluster, failures);
  const found = new Map<string, DescribedService>();
  for (const response of responses) {
    for (const svc of response.services ?? []) {
      const service = svc.serviceName ?? nameOf(svc.serviceArn ?? '');
      if (svc.status === 'INACTIVE' || svc.status === 'DRAINING') {
        throw new AwsRequestError(
          `DescribeServices: ECS service "${service}" in cluster "${cluster}" is ${svc.status} (deleted)`,
        );
      }
      found.set(service, {
        cluster,
        service,
        desired: svc.desiredCount ?? 0,
        running: svc.runningCount ?? 0,
        pending: svc.pendingCount ?? 0,
        deployments: svc.deployments?.length ?? 0,
        placement: placementOf(svc),
      });
    }
  }
  return names.map((name) => {
    const state = found.get(nameOf(name));
    if (!state)
      throw new AwsRequestError(`DescribeServices: ECS service "${name}" in cluster "${cluster}" is MISSING`);
    return state;
  });
}

/** describeServices over services spread across clusters: one batch per cluster, results in order. */
export async function describeServiceRefs(
  ecs: ECSClient,
  refs: readonly ServiceRef[],
  options: CallOptions = {},
): Promise<EcsServiceState[]> {
  return (await describeServiceRefsWithPlacement(ecs, refs, options)).map(countsOnly);
}

/** describeServiceRefs with each service's placement. */
export async function describeServiceRefsWithPlacement(
  ecs: ECSClient,
  refs: readonly ServiceRef[],
  options: CallOptions = {},
): Promise<DescribedService[]> {
  const clusters = [...new Set(refs.map((r) => r.cluster))];
  const described = await Promise.all(
    clusters.map((cluster) =>
      describeServicesWithPlacement(
        ecs,
        cluster,
        refs.filter((r) => r.cluster === cluster).map((r) => r.service),
        options,
      ),
    ),
  );
  // describeServices has answered for every name or thrown, so each ref is found.
  const all = new Map(described.flat().map((s) => [`${s.cluster}/${s.service}`, s]));
  return refs.map((ref) => all.get(`${ref.cluster}/${nameOf(ref.service)}`) as DescribedService);
}

/** A task definition's task-level cpu, or why it has none to count. */
export type TaskCpu = { cpuUnits: number } | { cpuUnits: null; note: string };

/**
 * The task-level cpu of a task definition, in CPU units (DescribeTaskDefinition `cpu`). ECS API
 * Reference, TaskDefinition cpu: a value registered in vCPUs ("1 vCPU") "is converted to an
 * integer indicating the CPU units when the task definition is registered", so the answer is an
 * integer string; task-level cpu is required for Fargate and optional on EC2.
 */
export async function describeTaskCpu(
  ecs: ECSClient,
  taskDefinition: string,
  options: CallOptions = {},
): Promise<TaskCpu> {
  const answer = await awsCall('DescribeTaskDefinition', () =>
    ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }), options),
  );
  const cpu = answer?.taskDefinition?.cpu;
  if (cpu === undefined) return { cpuUnits: null, note: `${nameOf(taskDefinition)} has no task-level cpu` };
  const units = /^\d+$/.test(cpu.trim()) ? Number(cpu) : Number.NaN;
  return Number.isFinite(units) && units > 0
    ? { cpuUnits: units }
    : { cpuUnits: null, note: `${nameOf(taskDefinition)} has cpu "${cpu}", not a count of CPU units` };
}

export async function setDesiredCount(
  ecs: ECSClient,
  cluster: string,
  service: string,
  desiredCount: number,
  options: CallOptions = {},
): Promise<void> {
  await awsCall('UpdateService', () =>
    ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount }), options),
  );
}

/** Which kinds of scaling are suspended on a scalable target (its SuspendedState). */
export interface SuspendedScaling {
  dynamicIn: boolean;
  dynamicOut: boolean;
  scheduled: boolean;
}

/** A scalable target as found: bounds and suspended scaling, everything a rollback restores. */
export interface ScalableTargetState extends ScalableCapacity {
  suspended: SuspendedScaling;
}

/** The service's autoscaling bounds, or null when Application Auto Scaling does not manage it. */
export async function describeScalableTarget(
  autoscaling: ApplicationAutoScalingClient,
  cluster: string,
  service: string,
  options: CallOptions = {},
): Promise<ScalableCapacity | null> {
  const state = await describeScalableTargetState(autoscaling, cluster, service, options);
  return state && { min: state.min, max: state.max };
}

/** describeScalableTarget with the target's SuspendedState; null when the service has no scalable target. */
export async function describeScalableTargetState(
  autoscaling: ApplicationAutoScalingClient,
  cluster: string,
  service: string,
  options: CallOptions = {},
): Promise<ScalableTargetState | null> {
  const response = await awsCall('DescribeScalableTargets', () =>
    autoscaling.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: 'ecs',
        ResourceIds: [scalableResourceId(cluster, service)],
        ScalableDimension: SCALABLE_DIMENSION,
      }),
      options,
    ),
  );
  const target = response.ScalableTargets?.[0];
  return target ? targetState(target) : null;
}

function targetState(target: ScalableTarget): ScalableTargetState {
  const suspended = target.SuspendedState;
  return {
    min: target.MinCapacity ?? 0,
    max: target.MaxCapacity ?? 0,
    suspended: {
      dynamicIn: suspended?.DynamicScalingInSuspended === true,
      dynamicOut: suspended?.DynamicScalingOutSuspended === true,
      scheduled: suspended?.ScheduledScalingSuspended === true,
    },
  };
}

/** DescribeScalableTargets answers at most this many targets per page (MaxResults, 1 to 50). */
export const DESCRIBE_SCALABLE_TARGETS_BATCH = 50;

/**
 * describeScalableTargetState for many services of one region at once, in the order asked (null
 * for a service with no scalable target): one DescribeScalableTargets call per 50 ResourceIds
 * instead of one call per service. Application Auto Scaling throttles its API per account and
 * region like every AWS API (src/sim/rate-limits.ts): 100 autoscaled services read one by one
 * drain the bucket before anything is scaled.
 */
export async function describeScalableTargetStates(
  autoscaling: ApplicationAutoScalingClient,
  refs: readonly ServiceRef[],
  options: CallOptions = {},
): Promise<(ScalableTargetState | null)[]> {
  const ids = [...new Set(refs.map((r) => scalableResourceId(r.cluster, r.service)))];
  const found = new Map<string, ScalableTargetState>();
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += DESCRIBE_SCALABLE_TARGETS_BATCH) {
    batches.push(ids.slice(i, i + DESCRIBE_SCALABLE_TARGETS_BATCH));
  }
  await Promise.all(
    batches.map(async (ResourceIds) => {
      let NextToken: string | undefined;
      do {
        const page = await awsCall('DescribeScalableTargets', () =>
          autoscaling.send(
            new DescribeScalableTargetsCommand({
              ServiceNamespace: 'ecs',
              ResourceIds,
              ScalableDimension: SCALABLE_DIMENSION,
              MaxResults: DESCRIBE_SCALABLE_TARGETS_BATCH,
              ...(NextToken ? { NextToken } : {}),
            }),
            options,
          ),
        );
        for (const target of page.ScalableTargets ?? []) {
          if (target.ResourceId) found.set(target.ResourceId, targetState(target));
        }
        NextToken = page.NextToken;
      } while (NextToken);
    }),
  );
  return refs.map((r) => found.get(scalableResourceId(r.cluster, r.service)) ?? null);
}

/**
 * Registers new bounds on an existing scalable target; only the bounds given change. When the
 * current desired count falls outside them, Application Auto Scaling moves it inside at once
 * (API Reference, RegisterScalableTarget). `suspended`, when given, is sent whole: every member
 * explicit, since a member left out of a SuspendedState may be taken as false (its documented
 * default), which would resume what was suspended.
 */
export async function setCapacityBounds(
  autoscaling: ApplicationAutoScalingClient,
  cluster: string,
  service: string,
  bounds: Partial<ScalableCapacity>,
  options: CallOptions & { suspended?: SuspendedScaling } = {},
): Promise<void> {
  const { suspended, ...callOptions } = options;
  await awsCall('RegisterScalableTarget', () =>
    autoscaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: 'ecs',
        ResourceId: scalableResourceId(cluster, service),
        ScalableDimension: SCALABLE_DIMENSION,
        ...(bounds.min === undefined ? {} : { MinCapacity: bounds.min }),
        ...(bounds.max === undefined ? {} : { MaxCapacity: bounds.max }),
        ...(suspended === undefined ? {} : { SuspendedState: suspendedState(suspended) }),
      }),
      callOptions,
    ),
  );
}

/** The API's SuspendedState for `s`, every member explicit. */
export function suspendedState(s: SuspendedScaling) {
  return {
    DynamicScalingInSuspended: s.dynamicIn,
    DynamicScalingOutSuspended: s.dynamicOut,
    ScheduledScalingSuspended: s.scheduled,
  };
}

/**
 * A fenced service must stay down when its region recovers: scale-out policies and scheduled
 * actions (which set min/max again on their schedule) are suspended with the minimum lowered.
 * Scale-in is left as found: it cannot bring a fenced service back.
 */
export const fencedScaling = (scaleInSuspended: boolean): SuspendedScaling => ({
  dynamicIn: scaleInSuspended,
  dynamicOut: true,
  scheduled: true,
});

/**
 * A service becoming active again (scale-up, failback) scales with its load: scale-out and
 * scheduled scaling resume. Scale-in is left as found (its minimum keeps it at the active count).
 */
export const activeScaling = (scaleInSuspended: boolean): SuspendedScaling => ({
  dynamicIn: scaleInSuspended,
  dynamicOut: false,
  scheduled: false,
});

/**
 * Raises the minimum to `min` (and the maximum with it when below), resuming scale-out and
 * scheduled scaling; returns the bounds registered. With the bounds already there, the call still
 * brings a desired count below the minimum up to it, and never lowers one above it: the scaler
 * does the max(desired, min) itself, so a caller that read a stale desiredCount sends nothing that
 * conflicts with a later scale-out.
 */
export async function raiseMinCapacity(
  autoscaling: ApplicationAutoScalingClient,
  cluster: string,
  service: string,
  min: number,
  current: ScalableCapacity & { suspended?: SuspendedScaling },
  options: CallOptions = {},
): Promise<ScalableCapacity> {
  const bounds = raisedCapacity(current, min);
  await setCapacityBounds(
    autoscaling,
    cluster,
    service,
    bounds.max === current.max ? { min: bounds.min } : bounds,
    { ...options, suspended: activeScaling(current.suspended?.dynamicIn ?? false) },
  );
  return bounds;
}

/**
 * Lowers the minimum to `min` and suspends scale-out and scheduled scaling, so a fenced service
 * is not scaled back up by its own scaler (or a scheduled action) when its region recovers.
 * `scaleInSuspended` is the found state of scale-in, sent back as it was.
 */
export async function lowerMinCapacity(
  autoscaling: ApplicationAutoScalingClient,
  cluster: string,
  service: string,
  min: number,
  options: CallOptions & { max?: number; scaleInSuspended?: boolean } = {},
): Promise<void> {
  const { max, scaleInSuspended, ...callOptions } = options;
  await setCapacityBounds(autoscaling, cluster, service, max === undefined ? { min } : { min, max }, {
    ...callOptions,
    suspended: fencedScaling(scaleInSuspended ?? false),
  });
}
