import type {
  DescribeScalableTargetsRequest,
  RegisterScalableTargetRequest,
  ScalableTarget,
} from '@aws-sdk/client-application-auto-scaling';
import type { EcsServicePlan } from '../plan/schema.js';
import type { EcsModel, EcsService, Scaler } from './ecs.js';
import { SimFault } from './errors.js';
import { trafficShares } from './traffic-share.js';
import type { CloudSnapshot, EcsDemand, ScalingSuspended, SimScheduledAction } from './types.js';
import { type Handler, op, type ServiceModel, type World } from './world.js';

const DIMENSION = 'ecs:service:DesiredCount';

/**
 * The target tracking policy every autoscaled plan service has (one per scalable target).
 * ECSServiceAverageCPUUtilization is a predefined metric (Application Auto Scaling User Guide,
 * target tracking, "Choosing metrics"); the target value of 50 % is a modelling choice (a common
 * setting; nothing in the drills depends on the number, only on load above or below it).
 */
export const TARGET_TRACKING = {
  metric: 'ECSServiceAverageCPUUtilization',
  targetValue: 50,
  /**
   * The scale-in alarm's threshold, as a fraction of the target: "removing capacity only when
   * utilization passes a threshold that is far enough below the target value (usually more than
   * 10% lower)" (Application Auto Scaling User Guide, target tracking, high utilization periods).
   */
  scaleInBelow: 0.9,
} as const;

interface Target {
  readonly service: EcsService;
  readonly plan: EcsServicePlan;
  readonly resourceId: string;
  readonly arn: string;
  readonly created: Date;
  min: number;
  max: number;
  suspended: ScalingSuspended;
  /** The policy's metric, one datapoint a period, oldest first; null for a period without data. */
  datapoints: (number | null)[];
  lastScaleOut?: { at: number; to: number };
  lastScaleInAt?: number;
}

interface ScheduledAction {
  readonly target: Target;
  readonly name: string;
  /** When Application Auto Scaling runs it: its schedule plus the trigger delay. */
  readonly runAt: number;
  readonly min?: number;
  readonly max?: number;
  state: 'pending' | 'done' | 'skipped';
}

/** One scaling activity of the owner's scaler (not a call of the orchestrator's). */
export interface OwnersScalingActivity {
  /** `region/CLUSTER/NAME`. */
  service: string;
  at: number;
  /** A scheduled action sets the bounds; target tracking moves only the desired count. */
  kind: 'scheduled-action' | 'target-tracking';
}

export interface AutoScalingOptions {
  initialWriter: 'primary' | 'standby';
  scheduledActions: readonly SimScheduledAction[];
  demand: readonly EcsDemand[];
}

const validation = (message: string) => new SimFault('ValidationException', message);

/**
 * Application Auto Scaling for the plan's ECS services with `autoScaling: true`: one scalable
 * target per service and region, each with a target tracking policy, and scheduled actions when
 * the drill defines them. It acts only through scaling activities, as AWS does:
 *
 * - Target tracking. The policy's alarms read one datapoint a period; the scale-out alarm fires on
 *   3 datapoints above the target, the scale-in alarm on 15 below its threshold (latencies
 *   targetTrackingScaleOutAlarm / ScaleInAlarm); while an alarm stays in ALARM its action is
 *   invoked every period. Scale-out is skipped while DynamicScalingOutSuspended, scale-in while
 *   DynamicScalingInSuspended (Application Auto Scaling User Guide, suspend and resume scaling);
 *   cooldowns apply. A service with no running task publishes no CPU datapoint, and a policy
 *   "does not perform scaling when the specified metric has insufficient data" (ECS Developer
 *   Guide, target tracking): a service scaled to 0 is not scaled out by its policy.
 * - Scheduled actions set MinCapacity and MaxCapacity at their time and move the desired count
 *   inside them; one due while ScheduledScalingSuspended is not run, then or later ("only
 *   evaluates scheduled actions whose execution time has not yet passed", same guide).
 * - RegisterScalableTarget moves the desired count inside the new bounds at once (API Reference,
 *   RegisterScalableTarget: "it changes the resource's current capacity to a value that is inside
 *   of this range").
 *
 * A desiredCount set outside [min, max] by UpdateService stays there until a scaling activity:
 * "If a service's desired count is set below its minimum capacity value, and an alarm initiates a
 * scale-out activity, Service Auto Scaling scales the desired count up to the minimum ... However,
 * a scale-in activity does not adjust the desired count, because it is already below the minimum"
 * (ECS Developer Guide, service auto scaling, quoted in aws/containers-roadmap#2626; the maximum
 * is modelled the same way round).
 *
 * Load, a modelling choice: a service's demand is its plan activeCount (or the drill's
 * `ecsDemand`) in tasks' worth at the target value, times the share of traffic the name servers
 * send its region (src/sim/traffic-share.ts); its CPU is target x demand / running tasks. The
 * serving region runs at the target, the other idles.
 */
export class AutoScalingModel implements ServiceModel, Scaler {
  readonly service = 'autoscaling' as const;
  readonly handlers: Record<string, Handler>;
  /** What the name servers answer at a moment (set by SimulatedCloud): where the load goes. */
  traffic: ((at: number) => CloudSnapshot['dns']) | undefined;
  readonly #targets: Target[] = [];
  readonly #activities: OwnersScalingActivity[] = [];
  readonly #actions: ScheduledAction[] = [];
  readonly #options: AutoScalingOptions;
  #nextEvaluation: number;

  constructor(
    private readonly world: World,
    private readonly ecs: EcsModel,
    options: AutoScalingOptions = { initialWriter: 'primary', scheduledActions: [], demand: [] },
  ) {
    this.#options = options;
    ecs.scaler = this;
    this.#nextEvaluation = world.t0 + this.#period();
    // After a failover by this orchestrator the old primary is fenced: minimum 0, scale-out and
    // scheduled scaling suspended (src/steps/fence-old-primary.ts).
    const fenced = options.initialWriter === 'standby' ? world.plan.regions.primary : undefined;
    for (const planned of world.plan.services.filter((s) => s.autoScaling)) {
      for (const region of world.regions) {
        const service = ecs.find(region, planned.cluster[region] ?? '', planned.service[region] ?? '');
        if (!service) continue;
        const target = this.#register(service, planned, service.desired, planned.activeCount * 2);
        if (region === fenced)
          target.suspended = { dynamicScalingIn: false, dynamicScalingOut: true, scheduledScaling: true };
      }
    }
    const rng = world.rng('autoscaling-schedule');
    for (const [i, action] of options.scheduledActions.entries()) {
      const planned = world.plan.services.find((s) => s.name === action.service);
      const target = this.#targets.find((t) => t.plan === planned && t.service.region === action.region);
      if (!target)
        throw new Error(
          `scheduled action on ${action.service} in ${action.region}: no autoscaled plan service there`,
        );
      if (
        action.minCapacity !== undefined &&
        action.maxCapacity !== undefined &&
        action.minCapacity > action.maxCapacity
      )
        throw new Error(`scheduled action on ${action.service}: minCapacity above maxCapacity`);
      this.#actions.push({
        target,
        name: action.name ?? `scheduled-${i + 1}`,
        runAt: action.at + rng.latency(world.latencies.scheduledActionDelay),
        ...(action.minCapacity === undefined ? {} : { min: action.minCapacity }),
        ...(action.maxCapacity === undefined ? {} : { max: action.maxCapacity }),
        state: 'pending',
      });
    }
    this.handlers = {
      DescribeScalableTargets: op<DescribeScalableTargetsRequest>((input, region) => {
        if (!input.ServiceNamespace) throw validation('ServiceNamespace is required.');
        const targets = this.#targets.filter(
          (t) =>
            t.service.region === region &&
            input.ServiceNamespace === 'ecs' &&
            (!input.ResourceIds?.length || input.ResourceIds.includes(t.resourceId)) &&
            (!input.ScalableDimension || input.ScalableDimension === DIMENSION),
        );
        return { ScalableTargets: targets.map((t) => this.#view(t)) };
      }),
      RegisterScalableTarget: op<RegisterScalableTargetRequest>((input, region, now) => {
        if (input.ServiceNamespace !== 'ecs' || input.ScalableDimension !== DIMENSION) {
          throw validation(`Only ecs / ${DIMENSION} scalable targets exist in this cloud.`);
        }
        const [kind, cluster, name] = (input.ResourceId ?? '').split('/');
        const service = kind === 'service' ? this.ecs.find(region, cluster ?? '', name ?? '') : undefined;
        if (!service) throw validation(`ECS service doesn't exist: ${input.ResourceId}`);
        let target = this.#targets.find((t) => t.service === service);
        if (!target) {
          if (input.MinCapacity === undefined || input.MaxCapacity === undefined) {
            throw validation('MinCapacity and MaxCapacity are required to register a new scalable target.');
          }
          const planned = this.world.plan.services.find(
            (s) => s.cluster[region] === service.cluster && s.service[region] === service.name,
          );
          if (!planned) throw validation(`ECS service is not in the plan: ${input.ResourceId}`);
          target = this.#register(service, planned, input.MinCapacity, input.MaxCapacity);
        }
        const min = input.MinCapacity ?? target.min;
        const max = input.MaxCapacity ?? target.max;
        if (min < 0 || min > max)
          throw validation('Minimum capacity cannot be greater than maximum capacity.');
        target.min = min;
        target.max = max;
        // API Reference, RegisterScalableTarget: parameters left out are not changed. Within a
        // SuspendedState that is given, a member left out is false, its documented default
        // (API Reference, SuspendedState; "Setting it to false (default) resumes the specified
        // scaling activities"): the pessimistic reading, so callers send all three.
        const asked = input.SuspendedState;
        if (asked) {
          target.suspended = {
            dynamicScalingIn: asked.DynamicScalingInSuspended ?? false,
            dynamicScalingOut: asked.DynamicScalingOutSuspended ?? false,
            scheduledScaling: asked.ScheduledScalingSuspended ?? false,
          };
        }
        // A new minimum above the current capacity (or maximum below it) applies at once.
        this.#clamp(target, now);
        return { ScalableTargetARN: target.arn };
      }),
    };
  }

  /** Scaling activities run from EcsModel.advance (Scaler), in time order with task placement. */
  advance(): void {}

  bounds(service: EcsService): { min: number; max: number; suspended: ScalingSuspended } | undefined {
    const target = this.#targets.find((t) => t.service === service);
    return target && { min: target.min, max: target.max, suspended: { ...target.suspended } };
  }

  /**
   * The owner's own scaling activities so far (scheduled actions that ran, target tracking
   * scale-outs and scale-ins), as `region/CLUSTER/NAME`, when and which: what
   * DescribeScalingActivities would list. The invariants tell them from the orchestrator's changes.
   */
  ownersScaling(): readonly OwnersScalingActivity[] {
    return this.#activities;
  }

  nextActivity(): number {
    let next = this.#nextEvaluation;
    for (const a of this.#actions) if (a.state === 'pending' && a.runAt < next) next = a.runAt;
    return next;
  }

  act(at: number): void {
    for (const action of this.#actions) {
      if (action.state === 'pending' && action.runAt <= at) this.#runScheduled(action, at);
    }
    if (this.#nextEvaluation <= at) {
      const shares = this.#shares(this.#nextEvaluation);
      for (const target of this.#targets) this.#evaluate(target, this.#nextEvaluation, shares);
      this.#nextEvaluation += this.#period();
    }
  }

  #period(): number {
    return this.world.latencies.scalingMetricPeriod.maxMs;
  }

  /** Datapoints an alarm needs: its evaluation window over the metric's period. */
  #datapoints(window: 'targetTrackingScaleOutAlarm' | 'targetTrackingScaleInAlarm'): number {
    return Math.max(1, Math.round(this.world.latencies[window].maxMs / this.#period()));
  }

  #shares(at: number): Record<string, number> {
    if (this.traffic) return trafficShares(this.traffic(at), this.world.plan);
    const serving =
      this.#options.initialWriter === 'standby'
        ? this.world.plan.regions.standby
        : this.world.plan.regions.primary;
    return { [serving]: 1 };
  }

  /** Demand on the target's service at `at`, in tasks' worth at the target value. */
  #demand(target: Target, at: number, shares: Record<string, number>): number {
    const region = target.service.region;
    const override = this.#options.demand.find(
      (d) =>
        d.region === region &&
        d.service === target.plan.name &&
        (d.from ?? Number.NEGATIVE_INFINITY) <= at &&
        at < (d.to ?? Number.POSITIVE_INFINITY),
    );
    return (override?.tasks ?? target.plan.activeCount) * (shares[region] ?? 0);
  }

  #evaluate(target: Target, at: number, shares: Record<string, number>): void {
    const { running } = this.ecs.counts(target.service, at);
    const demand = this.#demand(target, at, shares);
    const { targetValue, scaleInBelow } = TARGET_TRACKING;
    target.datapoints.push(running > 0 ? (targetValue * demand) / running : null);
    const keep = Math.max(
      this.#datapoints('targetTrackingScaleOutAlarm'),
      this.#datapoints('targetTrackingScaleInAlarm'),
    );
    if (target.datapoints.length > keep) target.datapoints.splice(0, target.datapoints.length - keep);
    const last = (n: number) => (target.datapoints.length >= n ? target.datapoints.slice(-n) : undefined);
    const high = last(this.#datapoints('targetTrackingScaleOutAlarm'));
    const low = last(this.#datapoints('targetTrackingScaleInAlarm'));
    // The capacity that brings the metric back to the target: running x metric / target.
    const needed = Math.ceil(demand - 1e-9);
    if (high?.every((v) => v !== null && v > targetValue)) this.#scaleOut(target, needed, at);
    else if (low?.every((v) => v !== null && v < targetValue * scaleInBelow))
      this.#scaleIn(target, needed, at);
  }

  #scaleOut(target: Target, needed: number, at: number): void {
    if (target.suspended.dynamicScalingOut) return;
    const service = target.service;
    if (service.desired >= target.max) return;
    const to = Math.min(target.max, Math.max(target.min, needed));
    if (to <= service.desired) return;
    // "The scaling policy won't increase the desired capacity again unless either a larger scale
    // out is triggered or the cooldown period ends" (Application Auto Scaling User Guide, cooldown).
    const last = target.lastScaleOut;
    if (last && at < last.at + this.world.latencies.targetTrackingScaleOutCooldown.maxMs && to <= last.to)
      return;
    this.ecs.setDesired(service, to, at);
    this.#record(target, at, 'target-tracking');
    target.lastScaleOut = { at, to };
    // "if another alarm triggers a scale-out activity during the scale-in cooldown period ... the
    // scale-in cooldown period stops" (same guide).
    target.lastScaleInAt = undefined;
  }

  #scaleIn(target: Target, needed: number, at: number): void {
    if (target.suspended.dynamicScalingIn) return;
    const service = target.service;
    if (service.desired <= target.min) return;
    const to = Math.max(target.min, needed);
    if (to >= service.desired) return;
    const last = target.lastScaleInAt;
    if (last !== undefined && at < last + this.world.latencies.targetTrackingScaleInCooldown.maxMs) return;
    this.ecs.setDesired(service, to, at);
    this.#record(target, at, 'target-tracking');
    target.lastScaleInAt = at;
  }

  /**
   * Modelling choice: the action is checked against ScheduledScalingSuspended and applied in one
   * moment, its run time. On AWS the target service honours it "a few seconds" after it is
   * triggered, so one triggered just before a suspension could still land after it.
   */
  #runScheduled(action: ScheduledAction, at: number): void {
    const { target } = action;
    if (target.suspended.scheduledScaling) {
      action.state = 'skipped';
      return;
    }
    const min = action.min ?? target.min;
    const max = action.max ?? target.max;
    target.min = Math.min(min, max);
    target.max = max;
    this.#clamp(target, at);
    action.state = 'done';
    this.#record(target, at, 'scheduled-action');
  }

  #record(target: Target, at: number, kind: OwnersScalingActivity['kind']): void {
    const { region, cluster, name } = target.service;
    this.#activities.push({ service: `${region}/${cluster}/${name}`, at, kind });
  }

  /** Moves the desired count inside the target's bounds. */
  #clamp(target: Target, at: number): void {
    const { service, min, max } = target;
    if (service.desired < min || service.desired > max)
      this.ecs.setDesired(service, Math.min(max, Math.max(min, service.desired)), at);
  }

  #register(service: EcsService, plan: EcsServicePlan, min: number, max: number): Target {
    const id = this.world.rng('identifiers').hex(32);
    const target: Target = {
      service,
      plan,
      resourceId: `service/${service.cluster}/${service.name}`,
      arn: `arn:aws:application-autoscaling:${service.region}:${this.world.account}:scalable-target/${id}`,
      created: new Date(),
      min,
      max,
      suspended: { dynamicScalingIn: false, dynamicScalingOut: false, scheduledScaling: false },
      datapoints: [],
    };
    this.#targets.push(target);
    return target;
  }

  #view(t: Target): ScalableTarget {
    return {
      ServiceNamespace: 'ecs',
      ResourceId: t.resourceId,
      ScalableDimension: DIMENSION,
      MinCapacity: t.min,
      MaxCapacity: t.max,
      RoleARN: `arn:aws:iam::${this.world.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
      CreationTime: t.created,
      SuspendedState: {
        DynamicScalingInSuspended: t.suspended.dynamicScalingIn,
        DynamicScalingOutSuspended: t.suspended.dynamicScalingOut,
        ScheduledScalingSuspended: t.suspended.scheduledScaling,
      },
      ScalableTargetARN: t.arn,
    };
  }
}
