/**
 * Will the target region's quotas let the scale-up run? Pure: check-readiness reads ECS, Service
 * Quotas and CloudWatch in the target region, and these functions decide. No AWS here.
 *
 *   quota (GetServiceQuota fargate L-3032A538)     e.g. 40 vCPU
 * - usage now (AWS/Usage ResourceCount, vCPU)      e.g. 30 vCPU, everything Fargate runs there
 * = available                                      10 vCPU
 *   needed: per Fargate service, (target - running) x task cpu / 1024
 *   short when needed > available: the tasks past the quota will not start.
 */

/** Fargate task-level cpu is in CPU units: 1024 units = 1 vCPU (ECS Developer Guide, task definition parameters, "Task size"). */
export const CPU_UNITS_PER_VCPU = 1024;

/** Service Quotas: AWS Fargate, "Fargate On-Demand vCPU resource count". */
export const FARGATE_ON_DEMAND_VCPU = { serviceCode: 'fargate', quotaCode: 'L-3032A538' } as const;

/**
 * ECS "Tasks per service", default 5,000 (ECS Developer Guide, Amazon ECS service quotas). Its
 * Service Quotas code could not be confirmed from AWS's own pages (public material names three
 * different codes), so it is not read: a target count above the documented default is reported,
 * with the command that lists ECS's quotas to check the applied value. The plan schema caps
 * activeCount at the same figure, so only a service already scaled past it can get here.
 */
export const TASKS_PER_SERVICE_DEFAULT = 5000;

/** How ECS places a service's tasks, as DescribeServices shows it. */
export type LaunchKind = 'fargate' | 'ec2' | 'external' | 'capacity-provider' | 'unknown';

/** One plan service in the target region, as readiness read it. */
export interface ServiceDemand {
  name: string;
  launch: LaunchKind;
  /** The capacity providers of its strategy, when launch is capacity-provider. */
  capacityProviders?: readonly string[];
  /** The count scale-target will ask for: max(activeCount, desired now) (decideScaleUp). */
  target: number;
  /** Tasks running now; pending ones are counted as still to start (pessimistic). */
  running: number;
  /** Task-level cpu of its task definition in CPU units; null when unreadable or absent. */
  cpuUnits: number | null;
  /** Why cpuUnits is null, when it is. */
  cpuNote?: string;
  /** awsvpc subnets in its network configuration; null when it has none. */
  subnets: number | null;
}

/** The Fargate On-Demand vCPU quota and usage in the target region, or why they are not known. */
export type FargateQuotaReading =
  | { known: true; quotaVcpu: number; usageVcpu: number; usageNote?: string }
  | { known: false; why: string };

export type CapacityVerdict = 'enough' | 'short' | 'unknown';

export interface CapacityJudgement {
  verdict: CapacityVerdict;
  /** vCPUs the scale-up starts on Fargate On-Demand. */
  neededVcpu: number;
  quotaVcpu: number | null;
  usageVcpu: number | null;
  /** vCPUs missing under the quota (0 when enough, null when unknown). */
  shortVcpu: number | null;
  /** Each problem found (a shortfall, a placement problem), in the operator's words. */
  problems: string[];
  /** What could not be known, and why. */
  unknowns: string[];
  /** Services the Fargate quota says nothing about, with why: never reported as ready. */
  notChecked: string[];
  /** The quota value that fits usage plus the scale-up, when the quota is short. */
  quotaNeeded: number | null;
}

const vcpus = (units: number) => units / CPU_UNITS_PER_VCPU;
const round = (n: number) => Math.round(n * 100) / 100;

function notCheckedWhy(s: ServiceDemand): string {
  switch (s.launch) {
    case 'ec2':
      return `${s.name}: not checked (EC2 launch type: its tasks need free CPU and memory on the cluster's container instances, which the Fargate quota says nothing about)`;
    case 'external':
      return `${s.name}: not checked (EXTERNAL launch type: runs on the owner's own instances)`;
    case 'capacity-provider':
      return `${s.name}: not checked (capacity provider strategy ${(s.capacityProviders ?? []).join(', ') || '(empty)'}: capacity comes from the providers, not from the Fargate On-Demand quota alone)`;
    default:
      return `${s.name}: not checked (DescribeServices named no launch type or capacity provider)`;
  }
}

/**
 * Judges the scale-up against the quotas. A Fargate service with no awsvpc subnet cannot place a
 * task at all (Fargate requires awsvpc); a target count past the tasks-per-service default is a
 * refusal ECS makes; vCPUs past the quota are tasks that will not start. Only what was read
 * decides: an unread quota or cpu is 'unknown' (never 'enough'), unless nothing has to start.
 */
export function judgeCapacity(
  services: readonly ServiceDemand[],
  quota: FargateQuotaReading,
): CapacityJudgement {
  const problems: string[] = [];
  const unknowns: string[] = [];
  const notChecked: string[] = [];
  let neededUnits = 0;
  for (const s of services) {
    if (s.target > TASKS_PER_SERVICE_DEFAULT) {
      problems.push(
        `${s.name}: target ${s.target} tasks is above ECS's default Tasks per service quota (${TASKS_PER_SERVICE_DEFAULT}); check the applied value (aws service-quotas list-service-quotas --service-code ecs --query "Quotas[?QuotaName=='Tasks per service']")`,
      );
    }
    if (s.launch !== 'fargate') {
      notChecked.push(notCheckedWhy(s));
      continue;
    }
    if (s.subnets === null || s.subnets === 0) {
      problems.push(
        `${s.name}: a Fargate service with no awsvpc subnet in its network configuration cannot place a task (update-service --network-configuration)`,
      );
    }
    const toStart = Math.max(0, s.target - s.running);
    if (toStart === 0) continue;
    if (s.cpuUnits === null) {
      unknowns.push(
        `${s.name}: task cpu unknown (${s.cpuNote ?? 'no task-level cpu'}), ${toStart} task(s) to start`,
      );
      continue;
    }
    neededUnits += toStart * s.cpuUnits;
  }
  const neededVcpu = round(vcpus(neededUnits));
  const fargateStarts = services.some((s) => s.launch === 'fargate' && s.target > s.running);

  let quotaVcpu: number | null = null;
  let usageVcpu: number | null = null;
  let shortVcpu: number | null = null;
  let quotaNeeded: number | null = null;
  if (quota.known) {
    quotaVcpu = quota.quotaVcpu;
    usageVcpu = round(quota.usageVcpu);
    const available = quota.quotaVcpu - quota.usageVcpu;
    shortVcpu = round(Math.max(0, neededVcpu - available));
    if (shortVcpu > 0) {
      quotaNeeded = Math.ceil(quota.usageVcpu + neededVcpu);
      problems.push(
        `Fargate On-Demand vCPU quota short by ${shortVcpu} vCPU: the scale-up needs ${neededVcpu} vCPU, the quota is ${quota.quotaVcpu} and ${usageVcpu} are in use (${round(Math.max(0, available))} available)${quota.usageNote ? `; ${quota.usageNote}` : ''}`,
      );
    }
  } else if (fargateStarts) {
    unknowns.push(`Fargate On-Demand vCPU quota or usage unknown: ${quota.why}`);
  }
  const verdict: CapacityVerdict = problems.length > 0 ? 'short' : unknowns.length > 0 ? 'unknown' : 'enough';
  return {
    verdict,
    neededVcpu,
    quotaVcpu,
    usageVcpu,
    shortVcpu,
    problems,
    unknowns,
    notChecked,
    quotaNeeded,
  };
}

/** The exact command that asks for the Fargate On-Demand vCPU quota a scale-up needs. */
export function quotaIncreaseCommand(region: string, desiredVcpu: number): string {
  return `aws service-quotas request-service-quota-increase --region ${region} --service-code ${FARGATE_ON_DEMAND_VCPU.serviceCode} --quota-code ${FARGATE_ON_DEMAND_VCPU.quotaCode} --desired-value ${desiredVcpu}`;
}

/** One line for the readiness check's detail: what was found, enough or not. */
export function describeCapacity(j: CapacityJudgement, region: string): string {
  const parts: string[] = [];
  if (j.verdict === 'enough') {
    parts.push(
      j.quotaVcpu === null
        ? `nothing to start on Fargate in ${region}`
        : `${region} Fargate On-Demand: needs ${j.neededVcpu} vCPU, quota ${j.quotaVcpu}, in use ${j.usageVcpu}`,
    );
  }
  if (j.verdict === 'short') parts.push(...j.problems);
  if (j.unknowns.length > 0) parts.push(`UNKNOWN: ${j.unknowns.join('; ')}`);
  if (j.quotaNeeded !== null) parts.push(`request the quota: ${quotaIncreaseCommand(region, j.quotaNeeded)}`);
  parts.push(...j.notChecked);
  return parts.join('; ');
}

/**
 * What each mode does with a capacity verdict that is not 'enough':
 *
 *   dry run / scheduled check ─▶ not ok: reported, Ready 0 (found before the outage)
 *   planned switchover        ─▶ not ok: refused up front (nothing is urgent; raise the quota first)
 *   unplanned failover        ─▶ ok, proceeds: partial capacity beats none; the report says
 *                                what is short and the command that asks for more
 *
 * An 'unknown' verdict is treated as a shortfall in every mode: never ready on a guess.
 */
export function capacityGate(
  verdict: CapacityVerdict,
  request: { mode: string; dryRun?: boolean | undefined },
): { ok: boolean; proceedsDespite: boolean } {
  if (verdict === 'enough') return { ok: true, proceedsDespite: false };
  if (request.dryRun === true || request.mode === 'planned') return { ok: false, proceedsDespite: false };
  return { ok: true, proceedsDespite: true };
}
