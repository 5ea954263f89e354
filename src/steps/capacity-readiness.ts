import { readFargateOnDemandVcpuUsage } from '../aws/cloudwatch.js';
import { type DescribedService, describeTaskCpu, type TaskCpu } from '../aws/ecs.js';
import { READ_RETRY_MS, retryTransient } from '../aws/retry.js';
import { readQuotaValue } from '../aws/service-quotas.js';
import { decideScaleUp } from '../decisions/capacity.js';
import {
  CPU_UNITS_PER_VCPU,
  capacityGate,
  describeCapacity,
  FARGATE_ON_DEMAND_VCPU,
  type FargateQuotaReading,
  judgeCapacity,
  type LaunchKind,
  quotaIncreaseCommand,
  type ServiceDemand,
} from '../decisions/quota.js';
import { AwsRequestError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import type { CheckReadinessOutput } from './contracts.js';
import type { FailoverRequest } from './request.js';

type Check = CheckReadinessOutput['checks'][number];
type Capacity = NonNullable<CheckReadinessOutput['capacity']>;

const NAME = 'target-capacity';

/**
 * How long each quota, usage or task definition read is retried (throttles, 5xx, silence) before
 * it counts as unknown: the same bound as other reads of a healthy region (src/aws/retry.ts); the
 * reads run side by side, inside the step's budget. An unplanned failover does not stop on what
 * they find (capacityGate), so it waits less for them: its RTO is running.
 */
const CAPACITY_READ_MS = READ_RETRY_MS;
const CAPACITY_READ_UNPLANNED_MS = 5_000;

type ReadOutcome<T> = { ok: true; value: T } | { ok: false; why: string };

/** A read that may be refused, throttled or unanswered: its value, or why it is not known. */
async function readOrWhy<T>(
  call: (abortSignal: AbortSignal) => Promise<T>,
  deadlineMs: number,
): Promise<ReadOutcome<T>> {
  try {
    const outcome = await retryTransient(call, { deadlineMs });
    if (outcome.ok) return { ok: true, value: outcome.value };
    return {
      ok: false,
      why: outcome.unreachable
        ? `no answer (${outcome.detail})`
        : `still failing after retries (${outcome.detail})`,
    };
  } catch (error) {
    // Access denied, no such quota, a quota answered without a value: readiness says unknown and
    // why, it does not stop the other checks (a failed read is reported, not a crash).
    if (error instanceof AwsRequestError) return { ok: false, why: error.message };
    throw error;
  }
}

export function launchKindOf(placement: DescribedService['placement']): LaunchKind {
  if (placement.capacityProviders.length > 0) return 'capacity-provider';
  switch (placement.launchType) {
    case 'FARGATE':
      return 'fargate';
    case 'EC2':
      return 'ec2';
    case 'EXTERNAL':
      return 'external';
    default:
      return 'unknown';
  }
}

/**
 * target-capacity: can the target region start what scale-target will ask of it? Reads, in the
 * target region only (static stability): the task definitions of the Fargate services that must
 * start tasks (DescribeTaskDefinition cpu), the Fargate On-Demand vCPU quota (Service Quotas) and
 * its usage (CloudWatch AWS/Usage); the services themselves come from the DescribeServices call
 * readiness already makes. What each mode does with a shortfall: capacityGate
 * (src/decisions/quota.ts) and docs/design-notes.md, "Capacity in the target region".
 */
export async function capacityCheck(
  request: FailoverRequest,
  services: readonly DescribedService[],
  deps: StepDeps,
): Promise<{ check: Check; capacity: Capacity }> {
  const region = request.targetRegion;
  const { ecs, serviceQuotas, cloudwatch } = deps.clients.forRegion(region);
  const gates = request.mode === 'planned' || request.dryRun === true;
  const read = <T>(call: (abortSignal: AbortSignal) => Promise<T>) =>
    readOrWhy(call, gates ? CAPACITY_READ_MS : CAPACITY_READ_UNPLANNED_MS);
  const demands = services.map((s, i): ServiceDemand & { taskDefinition: string | null } => {
    const plan = deps.plan.services[i];
    const launch = launchKindOf(s.placement);
    return {
      name: plan?.name ?? s.service,
      launch,
      capacityProviders: s.placement.capacityProviders,
      target: decideScaleUp(plan?.activeCount ?? s.desired, s.desired, null).desired,
      running: s.running,
      cpuUnits: null,
      subnets: s.placement.subnets,
      taskDefinition: s.placement.taskDefinition,
    };
  });
  const starting = demands.filter((d) => d.launch === 'fargate' && d.target > d.running);
  // The cpu of what runs too: it stands in for usage when CloudWatch has none (fargateReading).
  const counted = demands.filter((d) => d.launch === 'fargate' && (d.target > d.running || d.running > 0));

  // One read per task definition, however many services share it.
  const definitions = [...new Set(counted.map((d) => d.taskDefinition).filter((t): t is string => !!t))];
  const cpuReads = new Map(
    definitions.map((td) => [td, read((abortSignal) => describeTaskCpu(ecs, td, { abortSignal }))]),
  );
  // Awaited one by one below; one that fails meanwhile must not go unhandled.
  for (const read of cpuReads.values()) read.catch(() => undefined);
  const quotaRead =
    starting.length > 0
      ? Promise.all([
          read((abortSignal) => readQuotaValue(serviceQuotas, FARGATE_ON_DEMAND_VCPU, { abortSignal })),
          read((abortSignal) => readFargateOnDemandVcpuUsage(cloudwatch, deps.now(), { abortSignal })),
        ])
      : null;

  for (const d of counted) {
    if (!d.taskDefinition) {
      d.cpuNote = 'DescribeServices named no task definition';
      continue;
    }
    const cpu = (await cpuReads.get(d.taskDefinition)) as ReadOutcome<TaskCpu>;
    if (!cpu.ok) d.cpuNote = `DescribeTaskDefinition: ${cpu.why}`;
    else if (cpu.value.cpuUnits === null) d.cpuNote = cpu.value.note;
    else d.cpuUnits = cpu.value.cpuUnits;
  }
  const reading = quotaRead
    ? fargateReading(await quotaRead, demands)
    : { known: false as const, why: 'not read' };
  const judgement = judgeCapacity(demands, reading);
  const gate = capacityGate(judgement.verdict, request);
  const described = describeCapacity(judgement, region);
  const detail = gate.proceedsDespite
    ? `${judgement.verdict === 'short' ? 'SHORT' : 'UNKNOWN'}, an unplanned failover goes on with the capacity it gets (partial capacity beats none): ${described}`
    : described;
  return {
    check: { name: NAME, ok: gate.ok, detail },
    capacity: {
      verdict: judgement.verdict,
      proceedsDespite: gate.proceedsDespite,
      detail: described,
      quotaIncreaseCommand:
        judgement.quotaNeeded === null ? null : quotaIncreaseCommand(region, judgement.quotaNeeded),
    },
  };
}

/**
 * The quota and the usage, as read. CloudWatch publishes no AWS/Usage datapoint for a region
 * where nothing runs on Fargate: no datapoint in ten minutes is read as "only the plan's own
 * running tasks" (their vCPUs, from the cpu read above), never as zero when those run, and said.
 */
function fargateReading(
  [quota, usage]: [ReadOutcome<number>, ReadOutcome<number | null>],
  demands: readonly ServiceDemand[],
): FargateQuotaReading {
  if (!quota.ok) return { known: false, why: `quota not read: ${quota.why}` };
  if (!usage.ok) return { known: false, why: `usage not read: ${usage.why}` };
  if (usage.value !== null) return { known: true, quotaVcpu: quota.value, usageVcpu: usage.value };
  const own = demands.filter((d) => d.launch === 'fargate' && d.running > 0);
  if (own.some((d) => d.cpuUnits === null)) {
    return {
      known: false,
      why: 'no AWS/Usage datapoint in the last 10 minutes, and the cpu of the running tasks is unknown',
    };
  }
  const ownVcpu = own.reduce((sum, d) => sum + (d.running * (d.cpuUnits ?? 0)) / CPU_UNITS_PER_VCPU, 0);
  return {
    known: true,
    quotaVcpu: quota.value,
    usageVcpu: ownVcpu,
    usageNote: `no AWS/Usage datapoint in the last 10 minutes: usage taken as the plan's own ${ownVcpu} running vCPU`,
  };
}
