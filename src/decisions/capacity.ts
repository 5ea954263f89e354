import { InputInvalidError } from '../errors.js';
import type { EcsServicePlan } from '../plan/schema.js';

/**
 * ECS capacity decisions for the region that becomes primary. Pure: the steps read ECS and
 * Application Auto Scaling, ask these functions what to do, and act.
 */

/** Where one plan service lives in one region. */
export interface ServiceLocation {
  name: string;
  cluster: string;
  service: string;
}

/** Application Auto Scaling bounds of a service's desired count. */
export interface ScalableCapacity {
  min: number;
  max: number;
}

/** What DescribeServices says about a service, reduced to what the decisions need. */
export interface ServiceCounts {
  desired: number;
  running: number;
  pending: number;
  deployments: number;
}

export interface ScaleUpDecision {
  /** desiredCount the service has once scaled: activeCount, or more when it already runs more. */
  desired: number;
  /** UpdateService is needed: the service is below activeCount. */
  updateDesired: boolean;
  /** The new autoscaling minimum, or null when there is no scaler or its minimum already holds. */
  raiseMinTo: number | null;
}

export function locateService(service: EcsServicePlan, region: string): ServiceLocation {
  const cluster = service.cluster[region];
  const name = service.service[region];
  if (!cluster || !name) {
    throw new InputInvalidError(
      `service ${service.name} has no ECS cluster/service in ${region}: not one of the plan's regions`,
    );
  }
  return { name: service.name, cluster, service: name };
}

export function decideScaleUp(
  activeCount: number,
  currentDesired: number,
  scalable: ScalableCapacity | null,
): ScaleUpDecision {
  // A service already above activeCount is serving load it was scaled for: never shrink it.
  const desired = Math.max(activeCount, currentDesired);
  // Without the higher minimum the scaler treats the new tasks as surplus and scales back in.
  const raiseMinTo = scalable && scalable.min < activeCount ? activeCount : null;
  return { desired, updateDesired: currentDesired < activeCount, raiseMinTo };
}

/**
 * The bounds to register when raising the minimum: the maximum goes up with it when below,
 * since Application Auto Scaling rejects a minimum above the maximum.
 */
export function raisedCapacity(current: ScalableCapacity, min: number): ScalableCapacity {
  return { min: Math.max(current.min, min), max: Math.max(current.max, min) };
}

/**
 * The count a poll must see running: what scale-target set, or more if the service was scaled
 * further since (ECS's own steady state is running = desired).
 */
export function requiredRunning(scaledTo: number, counts: ServiceCounts): number {
  return Math.max(scaledTo, counts.desired);
}

/**
 * A service has settled when every task it wants is running and nothing else is moving:
 * pending tasks are still being placed or started, a second deployment is still replacing tasks.
 */
export function isScaleSettled(scaledTo: number, counts: ServiceCounts): boolean {
  return (
    counts.running >= requiredRunning(scaledTo, counts) && counts.pending === 0 && counts.deployments === 1
  );
}

/** Why a service has not settled, in the words an operator needs: "running 3 of 6, 3 pending". */
export function describeShortfall(scaledTo: number, counts: ServiceCounts): string {
  const parts = [`running ${counts.running} of ${requiredRunning(scaledTo, counts)}`];
  if (counts.pending > 0) parts.push(`${counts.pending} pending`);
  if (counts.deployments !== 1) parts.push(`${counts.deployments} deployments`);
  if (counts.desired < scaledTo) {
    parts.push(
      `desiredCount is ${counts.desired}, below the ${scaledTo} set by scale-target: something lowered it`,
    );
  }
  return parts.join(', ');
}
