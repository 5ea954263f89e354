import { describe, expect, it } from 'vitest';
import { checkedDrill, INVARIANTS } from '../../src/drill/invariants.js';
import { type DrillResult, runDrill, startDrill } from '../../src/drill/run-drill.js';
import { findScenario } from '../../src/drill/scenarios.js';
import type { FailoverPlan } from '../../src/plan/schema.js';
import type { CloudSnapshot } from '../../src/sim/cloud.js';

/** Fault drills: each ends safe and reported, read from the simulated cloud. */

const drill = (name: string) => runDrill(findScenario(name));
const okCalls = (r: DrillResult, command: string) =>
  r.cloud.calls.filter((c) => c.command === command && c.outcome === 'ok');

describe('fault drills', () => {
  it.each(['duplicate-alarm', 'alarm-flapping', 'manual-races-automatic', 'cooldown'])(
    '%s: exactly one failover, the other start suppressed with the reason',
    async (name) => {
      const r = await drill(name);

      expect(okCalls(r, 'FailoverGlobalCluster')).toHaveLength(1);
      expect(r.executions.map((e) => e.report?.outcome)).toEqual(['succeeded', 'suppressed']);
      expect(r.executions[1]?.report?.summary).toMatch(
        /suppressed, nothing done: (failover .* has held the lock|cool-down)/,
      );
    },
  );

  it('crash-after-acting: the retried promotion finds the failover running and sends nothing twice', async () => {
    const r = await drill('crash-after-acting');

    expect(r.retries.some((x) => x.state === 'PromoteDatabase')).toBe(true);
    expect(okCalls(r, 'FailoverGlobalCluster')).toHaveLength(1);
    expect(r.after.database.writerRegion).toBe('us-west-2');
  });

  it('dns-retry-slow-sync: the retried shift finds the records changed, and traffic is verified only once the name servers answer the target', async () => {
    // The first moment the name servers send every client to us-west-2, read from the cloud itself.
    let servedAt: number | undefined;
    const servedFromTarget = (s: CloudSnapshot, plan: FailoverPlan) =>
      plan.dns.records.every((record) =>
        s.dns
          .filter((d) => d.name === record.name)
          .every((d) => (d.setIdentifier === record.setIdentifier?.['us-west-2']) === (d.weight ?? 0) > 0),
      );
    const r = await startDrill(findScenario('dns-retry-slow-sync'), {
      onCloud: (cloud, plan) => {
        cloud.onChange((s) => {
          if (servedAt === undefined && servedFromTarget(s, plan)) servedAt = Date.parse(s.at);
        });
      },
    });
    r.release();

    const shifts = r.records.filter((x) => x.stateName === 'ShiftTraffic');
    expect(shifts.map((x) => x.outcome.kind)).toEqual(['failed', 'succeeded']);
    expect(okCalls(r, 'ChangeResourceRecordSets')).toHaveLength(1);
    const changedAt = okCalls(r, 'ChangeResourceRecordSets')[0]?.at ?? 0;
    expect((servedAt ?? 0) - changedAt).toBeGreaterThanOrEqual(3 * 60_000);
    const trafficMoved = r.report?.timeline.find(
      (e) => e.step === 'shift-traffic' && e.phase === 'succeeded',
    );
    expect(Date.parse(trafficMoved?.at ?? '')).toBeGreaterThanOrEqual(servedAt ?? Number.POSITIVE_INFINITY);
    expect(Date.parse(r.report?.verifiedAt ?? '')).toBeGreaterThanOrEqual(
      servedAt ?? Number.POSITIVE_INFINITY,
    );
    expect(r.report?.outcome).toBe('succeeded');
  });

  it('promotion-stuck: detaches the target once, after fencing, and tells the operator how to rebuild', async () => {
    const r = await drill('promotion-stuck');

    expect(okCalls(r, 'RemoveFromGlobalCluster')).toHaveLength(1);
    const detachAt = okCalls(r, 'RemoveFromGlobalCluster')[0]?.at ?? 0;
    expect(okCalls(r, 'UpdateService').some((c) => c.region === 'us-east-1' && c.at < detachAt)).toBe(true);
    expect(r.report?.actions.join('\n')).toMatch(/create-global-cluster/);
    expect(r.report?.steps.find((s) => s.step === 'promote-database')?.outcome).toBe('failed');
    expect(r.report?.outcome).toBe('succeeded');
  });

  it('ecs-capacity-short: the database moves, traffic does not, and the report names what is short', async () => {
    const r = await drill('ecs-capacity-short');

    expect(r.after.database.writerRegion).toBe('us-west-2');
    expect(okCalls(r, 'ChangeResourceRecordSets')).toHaveLength(0);
    expect(r.report?.failure?.cause).toMatch(/orders-api/);
    // The scale-up's failure is on the timeline once, at its deadline poll, with its message whole.
    const failed = (r.report?.timeline ?? []).filter(
      (e) => e.step === 'scale-target' && e.phase === 'failed',
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]?.message).toMatch(/^DeadlineExceededError: ECS services in us-west-2/);
  });

  it('target-unhealthy: does not fail over into a sick region, and changes nothing', async () => {
    const r = await drill('target-unhealthy');

    expect(r.report?.failure?.cause).toMatch(/target-region-health/);
    for (const command of ['UpdateService', 'FailoverGlobalCluster', 'ChangeResourceRecordSets']) {
      expect(okCalls(r, command)).toHaveLength(0);
    }
  });

  it.each(['region-unreachable', 'promotion-stuck', 'duplicate-alarm', 'dry-run'])(
    '%s: every invariant holds under the independent checker',
    async (name) => {
      const { checks } = await checkedDrill(findScenario(name), 1);

      expect(checks.map((c) => c.name)).toEqual([...INVARIANTS]);
      expect(checks.filter((c) => !c.held)).toEqual([]);
    },
  );

  describe('a deadline cancels; a reachable region is retried', () => {
    /** Each ok mutating call of `command`, with the invocation whose time it started in. */
    const landings = (r: DrillResult, command: string) =>
      okCalls(r, command).map((c) => ({
        landed: c.at + c.durationMs,
        sentBy: r.records.find(
          (x) => x.startedAt <= c.at && c.at <= x.endedAt && x.stateName === 'ShiftTraffic',
        ),
      }));

    it('fence-throttled-read: a throttled old region is still fenced to 0 with minimum 0, and what it was is recorded', async () => {
      const r = await drill('fence-throttled-read');

      expect(r.report?.outcome).toBe('succeeded');
      expect(
        r.cloud.calls.filter((c) => c.command === 'DescribeServices' && c.outcome !== 'ok'),
      ).toHaveLength(10);
      const old = r.after.services.filter((s) => s.region === 'us-east-1');
      expect(old.map((s) => [s.service, s.desired, s.minCapacity])).toEqual([
        ['orders-api', 0, 0],
        ['orders-worker', 0, null],
      ]);
      const fence = r.records.find((x) => x.stateName === 'FenceOldPrimary');
      const output = (fence?.outcome.kind === 'succeeded' ? fence.outcome.output : null) as {
        fencing: { resource: string; outcome: string; previous?: unknown }[];
      } | null;
      expect(output?.fencing.filter((f) => f.resource.startsWith('ecs ')).map((f) => f.outcome)).toEqual([
        'fenced',
        'fenced',
      ]);
      expect(output?.fencing[0]?.previous).toEqual({
        desired: 6,
        minCapacity: 6,
        maxCapacity: 12,
        suspended: { dynamicIn: false, dynamicOut: false, scheduled: false },
      });
    });

    it('control-plane-slow-planned: slow Route 53 calls in a planned move are waited for, never taken for an outage', async () => {
      const r = await drill('control-plane-slow-planned');

      expect(r.report?.outcome).toBe('succeeded');
      expect(
        r.records.some(
          (x) => x.outcome.kind === 'failed' && x.outcome.error === 'ControlPlaneUnavailableError',
        ),
      ).toBe(false);
      expect(
        r.cloud.calls.filter((c) => c.region === 'us-east-1' && c.outcome === 'TimeoutError'),
      ).toHaveLength(4);
      expect(okCalls(r, 'ChangeResourceRecordSets')).toHaveLength(1);
      for (const x of r.records) expect(x.endedAt - x.startedAt).toBeLessThan(60_000);
    });

    it('dns-change-late: each late change request is aborted at the bound and none lands after its step ended', async () => {
      const { result: r, checks } = await checkedDrill(findScenario('dns-change-late'), 1);

      expect(r.report?.outcome).toBe('succeeded');
      const changes = r.cloud.calls.filter((c) => c.command === 'ChangeResourceRecordSets');
      // Aborted at the bound, not left to time out and be retried by the SDK behind the step's back.
      expect(changes.map((c) => c.outcome)).toEqual(['AbortError', 'AbortError', 'ok']);
      expect(r.records.filter((x) => x.stateName === 'ShiftTraffic').map((x) => x.outcome.kind)).toEqual([
        'succeeded',
      ]);
      for (const { landed, sentBy } of landings(r, 'ChangeResourceRecordSets')) {
        expect(sentBy).toBeDefined();
        expect(landed).toBeLessThanOrEqual(sentBy?.endedAt ?? 0);
      }
      expect(checks.filter((c) => !c.held)).toEqual([]);
    });
  });
});
