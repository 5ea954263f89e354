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

/** A scalable target as scale-up reads it: bounds, and which scaling activities are suspended. */
export interface ScalerState extends ScalableCapacity {
  suspended?: { dynamicIn: boolean; dynamicOut: boolean; scheduled: boolean } | null;
}

/** The calls a scale-up sends for one service. */
export interface ScaleUpCalls {
  /**
   * RegisterScalableTarget with the minimum at least activeCount (scale-out and scheduled scaling
   * resumed): Application Auto Scaling then moves the desired count up to the minimum at once and
   * never below what it is (API Reference, RegisterScalableTarget).
   */
  register: boolean;
  /** UpdateService desiredCount: only for a service without a scaler. */
  updateService: boolean;
  /** Scale-out or scheduled scaling was found suspended (a fenced service coming back): resumed. */
  resume: boolean;
}

/**
 * How a scale-up is sent. A service Application Auto Scaling manages is scaled through its
 * scalable target alone, never by UpdateService: DescribeServices is eventually consistent, so
 * the count read may be older than a scale-out the scaler just made, and an UpdateService sent
 * from it would scale the service back down; the scaler's own "at least the minimum" cannot.
 * A service without a scaler changes only by this orchestrator, so a stale read of it repeats
 * the same count.
 */
export function scaleUpCalls(decision: ScaleUpDecision, scaler: ScalerState | null): ScaleUpCalls {
  if (!scaler) return { register: false, updateService: decision.updateDesired, resume: false };
  const resume = scaler.suspended?.dynamicOut === true || scaler.suspended?.scheduled === true;
  return {
    register: decision.raiseMinTo !== null || decision.updateDesired || resume,
    updateService: false,
    resume,
  };
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

/** The tasks that must run before traffic may move: `percent` of `count`, at least one. */
export function servingThreshold(count: number, percent: number): number {
  return Math.max(1, Math.ceil((count * percent) / 100));
}

/**
 * The share of capacity at which traffic may move for this request: the plan's for an unplanned
 * move, all of it for a planned one (nothing is urgent, so it scales fully first).
 */
export function shiftAtPercent(mode: string, plan: { capacity: { shiftAtPercent: number } }): number {
  return mode === 'planned' ? 100 : plan.capacity.shiftAtPercent;
}

/**
 * Enough of a service runs for traffic to move: settled, or (below 100%) the threshold's tasks
 * running while the rest still start.
 */
export function isServing(scaledTo: number, counts: ServiceCounts, percent: number): boolean {
  if (isScaleSettled(scaledTo, counts)) return true;
  return percent < 100 && counts.running >= servingThreshold(scaledTo, percent);
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
