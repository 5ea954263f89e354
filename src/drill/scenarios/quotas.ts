import { alarmEvent, type DrillScenario, MINUTE, primaryDown, startInput } from '../scenario-types.js';

/**
 * The standby's Fargate On-Demand vCPU quota after drift: 6 vCPU (modelling choice: the ECS
 * Developer Guide says new accounts "might have initial lower quotas that can increase over
 * time"). The example plan scales the standby to 6 + 3 one-vCPU tasks (src/sim/service-quotas.ts)
 * while 2 run already: 7 more vCPU needed, 4 available under the quota, 3 short.
 */
export const DRIFTED_QUOTA_VCPU = 6;

/** The quota as a scenario sets it, in the plan's standby region. */
const drifted = (standby: string) => ({ fargateOnDemandVcpu: { [standby]: DRIFTED_QUOTA_VCPU } });

/** Readiness against the target's service quotas: drift found before the outage, and what each mode does with it. */
export const QUOTA_SCENARIOS: readonly DrillScenario[] = [
  {
    name: 'dry-run-quota-drift',
    summary:
      "The scheduled readiness check finds the standby's Fargate vCPU quota too low for the scale-up: reported with the exact quota request, Ready 0, nothing changed.",
    input: (ctx) => startInput(ctx, 'manual', { dryRun: true, reason: 'scheduled readiness check' }),
    cloud: (ctx) => ({ quotas: drifted(ctx.plan.regions.standby) }),
    expected: { outcome: 'dry-run', writer: 'source' },
  },
  {
    name: 'planned-quota-short',
    summary:
      'A planned switchover into a standby whose Fargate vCPU quota cannot hold the scale-up is refused up front: nothing is urgent, raise the quota first. Nothing changed.',
    input: (ctx) => startInput(ctx, 'planned', { reason: 'quarterly failover drill' }),
    cloud: (ctx) => ({ quotas: drifted(ctx.plan.regions.standby) }),
    expected: { outcome: 'failed', writer: 'source' },
  },
  {
    name: 'outage-quota-short',
    summary:
      'The primary fails while the standby quota is short: readiness says so and the failover goes on (partial capacity beats none); the tasks past the quota never start, traffic follows the writer to partial capacity, and the report says what is short and the quota request to send.',
    input: (ctx) => alarmEvent(ctx),
    cloud: (ctx) => ({
      incidents: [primaryDown(ctx, -6 * MINUTE)],
      quotas: drifted(ctx.plan.regions.standby),
    }),
    expected: {
      outcome: 'partial',
      writer: 'target',
      events: ['Failover Started', 'Failover Step Failed', 'Failover Partial'],
    },
  },
  {
    name: 'dry-run-quota-denied',
    summary:
      'The scheduled readiness check may not read the quota (AccessDenied on GetServiceQuota): capacity is UNKNOWN, not ready, and the report says why.',
    input: (ctx) => startInput(ctx, 'manual', { dryRun: true, reason: 'scheduled readiness check' }),
    cloud: () => ({
      faults: [
        {
          command: 'GetServiceQuota',
          count: 100,
          error: {
            name: 'AccessDeniedException',
            message:
              'User: arn:aws:sts::123456789012:assumed-role/failover-orchestrator-dev/checkReadiness is not authorized to perform: servicequotas:GetServiceQuota',
            fault: 'client',
            status: 400,
          },
        },
      ],
    }),
    expected: { outcome: 'dry-run', writer: 'source' },
  },
];
