import { describe, expect, it } from 'vitest';
import { checkedDrill } from '../../src/drill/invariants.js';
import { runDrill } from '../../src/drill/run-drill.js';
import { findScenario } from '../../src/drill/scenarios.js';
import type { CloudSnapshot } from '../../src/sim/cloud.js';

/**
 * Readiness against the target's service quotas (src/drill/scenarios/quotas.ts): the standby's
 * Fargate On-Demand vCPU quota drifted to 6 vCPU while the scale-up needs 7 more on top of 2.
 */

const drill = (name: string) => runDrill(findScenario(name));
const resources = (s: CloudSnapshot) => ({ database: s.database, services: s.services, dns: s.dns });
const REQUEST =
  'aws service-quotas request-service-quota-increase --region us-west-2 --service-code fargate --quota-code L-3032A538 --desired-value 9';
const SHORT =
  'Fargate On-Demand vCPU quota short by 3 vCPU: the scale-up needs 7 vCPU, the quota is 6 and 2 are in use (4 available)';

describe('quota drills', () => {
  it('dry-run-quota-drift: reports the shortfall and the exact quota request, not ready (Ready 0), nothing changed', async () => {
    const r = await drill('dry-run-quota-drift');

    expect(resources(r.after)).toEqual(resources(r.before));
    // The Ready metric is 1 only for a dry run whose readiness is true (src/steps/report.ts).
    expect(r.report).toMatchObject({ outcome: 'dry-run', readiness: { ready: false } });
    expect(r.report?.readiness.problems).toEqual([
      `target-capacity: ${SHORT}; request the quota: ${REQUEST}`,
    ]);
    expect(r.report?.actions.join('\n')).toContain(`Readiness problem: target-capacity: ${SHORT}`);
    // Read where the orchestrator runs, the target: Service Quotas and the usage metric.
    const quotaReads = r.cloud.calls.filter((c) => c.command === 'GetServiceQuota');
    expect(quotaReads.map((c) => [c.region, c.outcome])).toEqual([['us-west-2', 'ok']]);
  });

  it('planned-quota-short: refused up front by readiness, before anything changes', async () => {
    const r = await drill('planned-quota-short');

    expect(r.report?.outcome).toBe('failed');
    expect(r.report?.failure?.error).toBe('TargetNotReadyError');
    expect(r.report?.readiness).toEqual({
      ready: false,
      problems: [`target-capacity: ${SHORT}; request the quota: ${REQUEST}`],
    });
    expect(resources(r.after)).toEqual(resources(r.before));
    expect(r.records.map((t) => t.functionName)).not.toContain('fenceOldPrimary');
  });

  it('outage-quota-short: goes on short (partial capacity beats none) and the report says what to request', async () => {
    const checked = await checkedDrill(findScenario('outage-quota-short'), 1);
    const r = checked.result;

    expect(checked.checks.filter((i) => !i.held)).toEqual([]);
    expect(r.report?.outcome).toBe('partial');
    expect(r.after.database.writerRegion).toBe('us-west-2');
    // The quota held what it allows: 6 one-vCPU tasks in the standby, no more.
    const standby = r.after.services.filter((s) => s.region === 'us-west-2');
    expect(standby.reduce((n, s) => n + s.running, 0)).toBe(6);
    const readinessEvents = r.report?.timeline.filter((e) => e.step === 'check-readiness') ?? [];
    expect(readinessEvents.map((e) => e.message).join('\n')).toContain(
      `capacity SHORT in us-west-2, going on (unplanned): ${SHORT}`,
    );
    const capacityAction = r.report?.actions.find((a) => a.startsWith('Capacity SHORT'));
    expect(capacityAction).toContain(REQUEST);
    expect(capacityAction).toContain('runbooks/readiness-capacity.md');
  });

  it('dry-run-quota-denied: the quota cannot be read, so capacity is UNKNOWN and the target not ready', async () => {
    const r = await drill('dry-run-quota-denied');

    expect(r.report).toMatchObject({ outcome: 'dry-run', readiness: { ready: false } });
    expect(r.report?.readiness.problems).toHaveLength(1);
    expect(r.report?.readiness.problems[0]).toMatch(
      /^target-capacity: UNKNOWN: Fargate On-Demand vCPU quota or usage unknown: quota not read: GetServiceQuota\(fargate L-3032A538\): AccessDeniedException/,
    );
    expect(resources(r.after)).toEqual(resources(r.before));
  });
});
