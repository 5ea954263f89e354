import type {
  DescribeScalableTargetsRequest,
  RegisterScalableTargetRequest,
  ScalableTarget,
} from '@aws-sdk/client-application-auto-scaling';
import type { EcsModel, EcsService, Scaler } from './ecs.js';
import { SimFault } from './errors.js';
import type { ScalingSuspended } from './types.js';
import { type Handler, op, type ServiceModel, type World } from './world.js';

const DIMENSION = 'ecs:service:DesiredCount';

interface Target {
  readonly service: EcsService;
  readonly resourceId: string;
  readonly arn: string;
  readonly created: Date;
  min: number;
  max: number;
  suspended: ScalingSuspended;
}

const validation = (message: string) => new SimFault('ValidationException', message);

/**
 * Application Auto Scaling for the plan's ECS services with `autoScaling: true`, one scalable
 * target per region. It is what pushes a lowered desiredCount back up, which is why the
 * orchestrator raises MinCapacity in the target region and lowers it in the old one.
 */
export class AutoScalingModel implements ServiceModel, Scaler {
  readonly service = 'autoscaling' as const;
  readonly handlers: Record<string, Handler>;
  readonly #targets: Target[] = [];

  constructor(
    private readonly world: World,
    private readonly ecs: EcsModel,
  ) {
    ecs.scaler = this;
    for (const planned of world.plan.services.filter((s) => s.autoScaling)) {
      for (const region of world.regions) {
        const service = ecs.find(region, planned.cluster[region] ?? '', planned.service[region] ?? '');
        if (service) this.#register(service, service.desired, planned.activeCount * 2);
      }
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
          target = this.#register(service, input.MinCapacity, input.MaxCapacity);
        }
        const min = input.MinCapacity ?? target.min;
        const max = input.MaxCapacity ?? target.max;
        if (min < 0 || min > max)
          throw validation('Minimum capacity cannot be greater than maximum capacity.');
        target.min = min;
        target.max = max;
        // Modelling choice: a suspension type the request leaves out keeps its current value.
        const asked = input.SuspendedState;
        if (asked) {
          target.suspended = {
            dynamicScalingIn: asked.DynamicScalingInSuspended ?? target.suspended.dynamicScalingIn,
            dynamicScalingOut: asked.DynamicScalingOutSuspended ?? target.suspended.dynamicScalingOut,
            scheduledScaling: asked.ScheduledScalingSuspended ?? target.suspended.scheduledScaling,
          };
        }
        // A new minimum above the current capacity (or maximum below it) applies at once.
        if (service.desired < min || service.desired > max) {
          this.ecs.setDesired(service, Math.min(max, Math.max(min, service.desired)), now);
        }
        return { ScalableTargetARN: target.arn };
      }),
    };
  }

  advance(): void {}

  bounds(service: EcsService): { min: number; max: number; suspended: ScalingSuspended } | undefined {
    const target = this.#targets.find((t) => t.service === service);
    return target && { min: target.min, max: target.max, suspended: { ...target.suspended } };
  }

  #register(service: EcsService, min: number, max: number): Target {
    const id = this.world.rng('identifiers').hex(32);
    const target: Target = {
      service,
      resourceId: `service/${service.cluster}/${service.name}`,
      arn: `arn:aws:application-autoscaling:${service.region}:${this.world.account}:scalable-target/${id}`,
      created: new Date(),
      min,
      max,
      suspended: { dynamicScalingIn: false, dynamicScalingOut: false, scheduledScaling: false },
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
