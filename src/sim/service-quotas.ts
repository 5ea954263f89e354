import type { GetServiceQuotaRequest } from '@aws-sdk/client-service-quotas';
import type { EcsModel } from './ecs.js';
import { SimFault } from './errors.js';
import { type Handler, op, type ServiceModel, type World } from './world.js';

/**
 * The Fargate On-Demand vCPU quota when a scenario sets none: 4,000 vCPU, the AWS default value
 * Service Quotas lists for fargate L-3032A538 (ListAWSDefaultServiceQuotas, as dumped in public
 * quota listings). The ECS Developer Guide warns that "new AWS accounts might have initial lower
 * quotas that can increase over time": a scenario that rehearses one sets it (SimOptions.quotas).
 */
export const DEFAULT_FARGATE_VCPU_QUOTA = 4000;

/**
 * The task-level cpu of every simulated task definition, in CPU units: 1 vCPU (1024 units), a
 * valid Fargate size (ECS Developer Guide, task size table). Modelling choice: AWS has no default
 * (task-level cpu is required on Fargate), and one vCPU keeps the arithmetic readable.
 */
export const DEFAULT_TASK_CPU_UNITS = 1024;

/** What a scenario sets about quotas and usage, per region (SimOptions.quotas). */
export interface QuotaOptions {
  /** The applied Fargate On-Demand vCPU quota per region; DEFAULT_FARGATE_VCPU_QUOTA elsewhere. */
  fargateOnDemandVcpu?: Record<string, number>;
  /** Fargate On-Demand vCPUs other workloads of the account hold per region (not the plan's services). */
  otherFargateVcpu?: Record<string, number>;
  /** Task-level cpu (CPU units) of every plan service's task definition; default DEFAULT_TASK_CPU_UNITS. */
  taskCpuUnits?: number;
}

// Stated here, not imported from the product's decisions: the simulator answers as AWS does, so a
// wrong code or unit in the product is caught by the drill instead of agreeing with itself.
/** Service Quotas: service code fargate, quota L-3032A538, "Fargate On-Demand vCPU resource count". */
const FARGATE_ON_DEMAND_VCPU = { serviceCode: 'fargate', quotaCode: 'L-3032A538' } as const;
const FARGATE_QUOTA_NAME = 'Fargate On-Demand vCPU resource count';
/** 1024 CPU units are one vCPU (ECS Developer Guide, task definition parameters, task size). */
const CPU_UNITS_PER_VCPU = 1024;

/**
 * Service Quotas: GetServiceQuota for the Fargate On-Demand vCPU quota (anything else answers
 * NoSuchResourceException, as for a quota code the service does not have), and the AWS/Usage
 * figure CloudWatch publishes for it: the plan's Fargate tasks holding capacity (pending or
 * running: a launched task holds its vCPUs, modelling choice) plus other workloads.
 */
export class ServiceQuotasModel implements ServiceModel {
  readonly service = 'servicequotas' as const;
  readonly handlers: Record<string, Handler>;

  constructor(
    private readonly world: World,
    private readonly ecs: EcsModel,
    private readonly options: QuotaOptions = {},
  ) {
    this.handlers = {
      GetServiceQuota: op<GetServiceQuotaRequest>((input, region) => {
        if (
          input.ServiceCode !== FARGATE_ON_DEMAND_VCPU.serviceCode ||
          input.QuotaCode !== FARGATE_ON_DEMAND_VCPU.quotaCode
        ) {
          // Service Quotas API Reference, GetServiceQuota errors: NoSuchResourceException, "The
          // specified resource does not exist."
          throw new SimFault('NoSuchResourceException', 'The specified resource does not exist.');
        }
        return {
          Quota: {
            ServiceCode: 'fargate',
            ServiceName: 'AWS Fargate',
            QuotaArn: `arn:aws:servicequotas:${region}:${this.world.account}:fargate/${FARGATE_ON_DEMAND_VCPU.quotaCode}`,
            QuotaCode: FARGATE_ON_DEMAND_VCPU.quotaCode,
            QuotaName: FARGATE_QUOTA_NAME,
            Value: this.quotaVcpu(region),
            Unit: 'None',
            Adjustable: true,
            GlobalQuota: false,
            UsageMetric: {
              MetricNamespace: 'AWS/Usage',
              MetricName: 'ResourceCount',
              MetricDimensions: USAGE_DIMENSIONS,
              MetricStatisticRecommendation: 'Maximum',
            },
            QuotaAppliedAtLevel: 'ACCOUNT',
          },
        };
      }),
    };
  }

  advance(): void {}

  quotaVcpu(region: string): number {
    return this.options.fargateOnDemandVcpu?.[region] ?? DEFAULT_FARGATE_VCPU_QUOTA;
  }

  /** Fargate On-Demand vCPUs in use in `region` at `at`: the plan's tasks and other workloads. */
  usageVcpu(region: string, at: number): number {
    const cpu = this.options.taskCpuUnits ?? DEFAULT_TASK_CPU_UNITS;
    let tasks = 0;
    for (const svc of this.ecs.services) {
      if (svc.region !== region) continue;
      const { running, pending } = this.ecs.counts(svc, at);
      tasks += running + pending;
    }
    return (tasks * cpu) / CPU_UNITS_PER_VCPU + (this.options.otherFargateVcpu?.[region] ?? 0);
  }

  /**
   * The AWS/Usage series for `periods` of `region`, or null when the query is another metric.
   * ECS Developer Guide, AWS Fargate usage metrics: ResourceCount with Service=Fargate,
   * Type=Resource, Resource=vCPU, Class=Standard/OnDemand. No usage publishes no datapoint
   * (modelling choice: usage metrics report what runs).
   */
  usageSeries(
    region: string,
    namespace: string | undefined,
    metricName: string | undefined,
    dimensions: Record<string, string>,
    periods: readonly number[],
    periodMs: number,
  ): { t: number; v: number }[] | null {
    if (namespace !== 'AWS/Usage' || metricName !== 'ResourceCount') return null;
    const wanted = Object.entries(USAGE_DIMENSIONS);
    const keys = Object.keys(dimensions);
    if (keys.length !== wanted.length || wanted.some(([k, v]) => dimensions[k] !== v)) return [];
    return periods.flatMap((t) => {
      const v = this.usageVcpu(region, Math.min(t + periodMs - 1, Date.now()));
      return v > 0 ? [{ t, v }] : [];
    });
  }
}

/**
 * The most plan tasks each region can hold: the scenario's ecsCapacity, lowered to what a quota it
 * set leaves after other workloads. Fargate does not place a task past the account's vCPU quota
 * (its service event reads "You've reached the limit on the number of vCPUs you can run
 * concurrently": re:Post, ECS service unable to place a task). A region with no quota set keeps
 * its ecsCapacity: the default quota never binds a drill that did not ask for it.
 */
export function capacityUnderQuotas(
  ecsCapacity: Readonly<Record<string, number>>,
  quotas: QuotaOptions = {},
): Record<string, number> {
  const capacity = { ...ecsCapacity };
  const vcpuPerTask = (quotas.taskCpuUnits ?? DEFAULT_TASK_CPU_UNITS) / CPU_UNITS_PER_VCPU;
  for (const [region, quota] of Object.entries(quotas.fargateOnDemandVcpu ?? {})) {
    const fits = Math.max(0, Math.floor((quota - (quotas.otherFargateVcpu?.[region] ?? 0)) / vcpuPerTask));
    capacity[region] = Math.min(capacity[region] ?? Number.POSITIVE_INFINITY, fits);
  }
  return capacity;
}

const USAGE_DIMENSIONS: Record<string, string> = {
  Service: 'Fargate',
  Type: 'Resource',
  Resource: 'vCPU',
  Class: 'Standard/OnDemand',
};
