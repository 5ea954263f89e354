import { describe, expect, it } from 'vitest';
import { meetsExpectation } from '../../src/drill/expectations.js';
import { type DrillResult, runDrill } from '../../src/drill/run-drill.js';
import { findScenario, SCENARIOS } from '../../src/drill/scenarios.js';
import { answeredRegions } from '../../src/drill/settled-invariants.js';
import type { CloudSnapshot } from '../../src/sim/cloud.js';
import { USE1_CONTROL, USW2_CONTROL } from '../support/arc.js';
import { examplePlan } from '../support/plan.js';

/**
 * Whole-workflow tests: the real state machine file, the real handlers and SDK clients, the
 * simulated cloud. Each asserts the end state of the simulated cloud (read from the cloud, not
 * from the orchestrator's own account) and the timeline, not just the execution status.
 */

const drill = (name: string, seed = 1) => runDrill(findScenario(name), { seed });

const running = (s: CloudSnapshot, region: string) =>
  s.services
    .filter((x) => x.region === region)
    .map((x) => ({ service: x.service, desired: x.desired, running: x.running }));
const weights = (s: CloudSnapshot) => Object.fromEntries(s.dns.map((d) => [d.setIdentifier, d.weight]));
/** Per plan record, the regions the name servers send clients to (health checks applied). */
const answered = (s: CloudSnapshot) => answeredRegions(s.dns, examplePlan());
/** Calls that change the failover's resources (not the lock table, metrics or notifications). */
const mutatingCalls = (r: DrillResult) =>
  r.cloud.calls.filter((c) =>
    /^(UpdateService|RegisterScalableTarget|FailoverGlobalCluster|SwitchoverGlobalCluster|RemoveFromGlobalCluster|ChangeResourceRecordSets)$/.test(
      c.command,
    ),
  );
const phasesOf = (r: DrillResult, step: string) =>
  r.report?.timeline.filter((e) => e.step === step).map((e) => e.phase);

describe('drill scenarios', () => {
  it('region-outage: promotes the standby, scales it up, moves DNS and reports RTO and an RPO estimate', async () => {
    const r = await drill('region-outage');

    expect(r.status).toBe('SUCCEEDED');
    expect(r.after.database).toMatchObject({ writerRegion: 'us-west-2', failoverState: null });
    expect(running(r.after, 'us-west-2')).toEqual([
      { service: 'orders-api', desired: 6, running: 6 },
      { service: 'orders-worker', desired: 3, running: 3 },
    ]);
    expect(running(r.after, 'us-east-1').every((s) => s.desired === 0)).toBe(true);
    // The example plan moves its record by routing control: us-east-1's control Off, no record change.
    expect(r.cloud.routingControlStates()).toEqual({ [USE1_CONTROL]: 'Off', [USW2_CONTROL]: 'On' });
    expect(answered(r.after)).toEqual([['us-west-2']]);
    expect(r.cloud.calls.some((c) => c.command === 'ChangeResourceRecordSets')).toBe(false);
    expect(r.report).toMatchObject({ outcome: 'succeeded', mode: 'automatic', dnsTtlSeconds: 60 });
    expect(r.report?.rtoSeconds).toBeGreaterThan(60);
    expect(r.report?.userFacingRtoSeconds).toBe((r.report?.rtoSeconds ?? 0) + 60);
    expect(r.report?.rpo.basis).toMatch(/^estimate/);
    expect(r.report?.rpo.seconds).toBeGreaterThan(0);
    expect(phasesOf(r, 'promote-database')).toEqual(['started', 'progress', 'succeeded']);
    expect(r.report?.steps.map((s) => s.step)).toEqual([
      'normalize-input',
      'acquire-lock',
      'verify-failure',
      'check-readiness',
      'record-found',
      'fence-old-primary',
      'promote-database',
      // The example plan warms the cache after promotion (plans/dev.json hooks).
      'hook-after-promotion',
      'scale-target',
      'shift-traffic',
      'verify-target',
      'release-lock',
    ]);
  });

  it('region-outage: polling sees the promotion pending, then failing over, then done', async () => {
    const r = await drill('region-outage');
    const statuses = r.report?.timeline
      .filter((e) => e.step === 'promote-database' && e.phase === 'progress')
      .map((e) => e.message);

    expect(statuses?.join(' ')).toMatch(/failing-over/);
    expect(r.report?.timeline.some((e) => e.step === 'scale-target' && /pending/.test(e.message))).toBe(true);
  });

  it('transient-blip: ends with no action and touches nothing in the cloud', async () => {
    const r = await drill('transient-blip');

    expect(r.status).toBe('SUCCEEDED');
    expect(r.report).toMatchObject({ outcome: 'no-action', rtoSeconds: null });
    expect(mutatingCalls(r)).toEqual([]);
    expect({ ...r.after, at: '', publishedMetrics: [] }).toEqual({
      ...r.before,
      at: '',
      publishedMetrics: [],
    });
    expect(phasesOf(r, 'verify-failure')).toContain('no-action');
  });

  it('planned-switchover: switches over with RPO 0 and a write-unavailable window, old region left serving', async () => {
    const r = await drill('planned-switchover');

    expect(r.status).toBe('SUCCEEDED');
    expect(r.after.database.writerRegion).toBe('us-west-2');
    expect(r.cloud.calls.some((c) => c.command === 'SwitchoverGlobalCluster')).toBe(true);
    expect(r.cloud.calls.some((c) => c.command === 'FailoverGlobalCluster')).toBe(false);
    expect(r.report?.rpo).toMatchObject({ seconds: 0, basis: expect.stringMatching(/^switchover verified/) });
    expect(r.report?.writeUnavailableSeconds).toBeGreaterThan(0);
    expect(running(r.after, 'us-east-1').every((s) => s.desired > 0)).toBe(true);
    expect(answered(r.after)).toEqual([['us-west-2']]);
  });

  it('throttled-promotion: the transient error is retried, by the SDK and then the state machine, and the failover completes', async () => {
    const r = await drill('throttled-promotion');
    const failoverCalls = r.cloud.calls.filter((c) => c.command === 'FailoverGlobalCluster');

    expect(r.status).toBe('SUCCEEDED');
    expect(failoverCalls.map((c) => c.outcome)).toEqual([
      'Throttling',
      'Throttling',
      'Throttling',
      'Throttling',
      'Throttling',
      'ok',
    ]);
    expect(r.retries.some((x) => x.state === 'PromoteDatabase')).toBe(true);
    expect(r.after.database.writerRegion).toBe('us-west-2');
  });

  it('promotion-refused: the fatal error is caught, the fence rolled back, reported, and DNS not moved', async () => {
    const r = await drill('promotion-refused');

    expect(r.status).toBe('FAILED');
    expect(r.error?.name).toBe('AwsRequestError');
    expect(r.error?.cause).toMatch(
      /FAILED: AwsRequestError: promote-database: rds:FailoverGlobalCluster: InvalidGlobalClusterStateFault/,
    );
    expect(r.report).toMatchObject({ outcome: 'failed', failure: { error: 'AwsRequestError' } });
    expect(r.after.database.writerRegion).toBe('us-east-1');
    expect(weights(r.after)).toEqual({ 'orders-use1': 100, 'orders-usw2': 0 });
    expect(r.cloud.calls.some((c) => c.command === 'ChangeResourceRecordSets')).toBe(false);
    expect(r.report?.recovery).toMatchObject({ kind: 'rolled-back', complete: true });
    expect(r.report?.actions.join('\n')).toMatch(
      /Rolled back: every service in both regions reads back as found/,
    );
    const counts = (s: typeof r.after) =>
      s.services.map((x) => [x.region, x.service, x.desired, x.minCapacity]);
    expect(counts(r.after)).toEqual(counts(r.before));
    expect(r.report?.steps.find((s) => s.step === 'promote-database')).toMatchObject({ outcome: 'failed' });
  });

  it('headless-standby: readiness stops the failover before any change', async () => {
    const r = await drill('headless-standby');

    expect(r.status).toBe('FAILED');
    expect(r.error?.name).toBe('TargetNotReadyError');
    expect(r.report?.failure?.cause).toMatch(/headless/);
    expect(mutatingCalls(r)).toEqual([]);
  });

  it('region-unreachable: fencing is unconfirmed, the standby becomes writer, traffic follows through ARC with no call to us-east-1', async () => {
    const r = await drill('region-unreachable');

    expect(r.status).toBe('SUCCEEDED');
    expect(r.after.database.writerRegion).toBe('us-west-2');
    expect(answered(r.after)).toEqual([['us-west-2']]);
    expect(r.report?.fencing.every((f) => f.outcome === 'unconfirmed')).toBe(true);
    expect(r.report?.actions.join('\n')).toMatch(
      /aws ecs update-service --region us-east-1 --cluster orders-use1 --service orders-api --desired-count 0/,
    );
    // Nothing waited on Route 53's control plane: no record change, no GetChange.
    expect(r.cloud.calls.filter((c) => /^(ChangeResourceRecordSets|GetChange)$/.test(c.command))).toEqual([]);
    const set = r.cloud.calls.filter((c) => c.command === 'UpdateRoutingControlStates' && c.outcome === 'ok');
    expect(set).toHaveLength(1);
    expect(set[0]?.region).not.toBe('us-east-1');
    expect(r.report?.rtoSeconds).toBeGreaterThan(60);
  });

  it.each(SCENARIOS.map((s) => [s.name, s] as const))(
    '%s: ends as the scenario expects, every execution with a report',
    async (name, scenario) => {
      const r = await drill(name);

      expect(meetsExpectation(r, scenario.expected)).toBe(true);
      for (const execution of r.executions) {
        // Stopped by an operator: the report is the one failover stop rebuilds from the history.
        if (execution.status === 'ABORTED')
          expect(execution.report?.failure?.error).toBe('StoppedByOperator');
        else expect(execution.report?.timeline.at(-1)?.step).toBe('report');
      }
    },
  );

  it('gives the same timeline and figures for the same seed', async () => {
    const first = await drill('region-outage', 7);
    const second = await drill('region-outage', 7);

    expect(second.report).toEqual(first.report);
  });
});
