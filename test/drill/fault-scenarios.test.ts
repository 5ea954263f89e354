import { describe, expect, it } from 'vitest';
import { checkedDrill } from '../../src/drill/invariants.js';
import { type DrillResult, runDrill } from '../../src/drill/run-drill.js';
import { findScenario } from '../../src/drill/scenarios.js';

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

      expect(checks).toHaveLength(5);
      expect(checks.filter((c) => !c.held)).toEqual([]);
    },
  );
});
