import { describe, expect, it } from 'vitest';
import { checkedDrill } from '../../src/drill/invariants.js';
import type { DrillResult } from '../../src/drill/run-drill.js';
import { findScenario } from '../../src/drill/scenarios.js';
import { answersOnly } from '../../src/drill/settled-invariants.js';
import { loadPlanFile } from '../../src/plan/load.js';
import { renderReport } from '../../src/report/render.js';

/** Plans with three Aurora global clusters (src/drill/scenarios/databases.ts): the cloud and the report. */

const IDS = ['orders-global', 'payments-global', 'ledger-global'];
const TARGET = 'us-west-2';
const SOURCE = 'us-east-1';

const drill = async (name: string, seed = 1): Promise<DrillResult> => {
  const { result, checks } = await checkedDrill(findScenario(name), seed);
  expect(checks.filter((c) => !c.held)).toEqual([]);
  return result;
};
const applied = (r: DrillResult, command: string) =>
  r.cloud.calls.filter((c) => c.command === command && (c.outcome === 'ok' || c.lostResponse === true));
/** Each database's member in `region`, from the simulated cloud itself. */
const members = (r: DrillResult, region: string) =>
  r.after.databases.map((db) => ({
    id: db.globalClusterIdentifier,
    ...db.members.find((m) => m.region === region),
  }));
const how = (r: DrillResult) =>
  Object.fromEntries(
    (r.report?.databases ?? []).map((d) => [d.globalClusterIdentifier, [d.writerRegion, d.how]]),
  );

describe('drills with three databases', () => {
  it.each([1, 2, 3])(
    'three-databases (seed %i): every target writes, and the report lists all three with the worst RPO',
    async (seed) => {
      const r = await drill('three-databases', seed);

      expect(r.report?.outcome).toBe('succeeded');
      expect(members(r, TARGET)).toEqual(
        IDS.map((id) => expect.objectContaining({ id, isWriter: true, acceptsWrites: true })),
      );
      expect(applied(r, 'FailoverGlobalCluster')).toHaveLength(3);
      expect(r.report?.databases).toHaveLength(3);
      expect(how(r)).toEqual(Object.fromEntries(IDS.map((id) => [id, [TARGET, 'failover']])));
      const each = (r.report?.databases ?? []).map((d) => d.rpoSeconds ?? Number.NaN);
      expect(r.report?.rpo.seconds).toBe(Math.max(...each));
      expect(r.report?.rpo.basis).toMatch(/^the worst of 3 databases whose writer moved/);
      expect(renderReport(r.report ?? ({} as never))).toContain(
        `- Database payments-global: writer ${TARGET} (failover)`,
      );
      // Aurora's write fencing is confirmed for each database once verified.
      expect(r.report?.fencing.filter((f) => f.resource.startsWith('aurora '))).toEqual(
        IDS.map((id) => expect.objectContaining({ resource: `aurora ${id}`, outcome: 'fenced' })),
      );
    },
  );

  it('three-databases-one-headless: readiness refuses, naming the database and why; nothing moves', async () => {
    const r = await drill('three-databases-one-headless');

    expect(r.report?.outcome).toBe('failed');
    expect(r.report?.readiness.ready).toBe(false);
    expect(r.report?.readiness.problems).toEqual([
      expect.stringMatching(/^aurora-target-cluster: payments-global: payments-usw2 is headless/),
    ]);
    expect(applied(r, 'FailoverGlobalCluster')).toEqual([]);
    expect(r.after.databases.map((db) => db.writerRegion)).toEqual([SOURCE, SOURCE, SOURCE]);
  });

  it('three-databases-one-mismatched: two move the managed way, the third by detach; all write in the target', async () => {
    const r = await drill('three-databases-one-mismatched');

    expect(r.report?.outcome).toBe('succeeded');
    expect(applied(r, 'FailoverGlobalCluster')).toHaveLength(2);
    expect(applied(r, 'RemoveFromGlobalCluster')).toHaveLength(1);
    expect(how(r)).toEqual({
      'orders-global': [TARGET, 'failover'],
      'payments-global': [TARGET, 'failover'],
      'ledger-global': [TARGET, 'detach'],
    });
    expect(members(r, TARGET).every((m) => m.acceptsWrites)).toBe(true);
    expect(r.report?.actions.join('\n')).toMatch(/ledger-global moved by detach/);
  });

  it.each([1, 2, 3])(
    'three-databases-one-refused (seed %i): the refused database rolls forward by detach once the others moved',
    async (seed) => {
      const r = await drill('three-databases-one-refused', seed);

      expect(r.report?.outcome).toBe('succeeded');
      expect(applied(r, 'FailoverGlobalCluster')).toHaveLength(2);
      expect(applied(r, 'RemoveFromGlobalCluster')).toHaveLength(1);
      expect(
        Object.values(how(r))
          .map(([, by]) => by)
          .sort(),
      ).toEqual(['detach', 'failover', 'failover']);
      expect(members(r, TARGET).every((m) => m.isWriter && m.acceptsWrites)).toBe(true);
    },
  );

  it('three-databases-switchover-split: traffic follows the two that moved; the third is handed over by name', async () => {
    const r = await drill('three-databases-switchover-split');
    const plan = loadPlanFile('test/fixtures/plans/three-databases.json');
    const left = (r.report?.databases ?? []).filter((d) => d.how === 'not moved');

    expect(r.report?.outcome).toBe('failed');
    expect(left).toEqual([expect.objectContaining({ writerRegion: SOURCE })]);
    expect((r.report?.databases ?? []).filter((d) => d.how === 'switchover')).toHaveLength(2);
    expect(r.report?.actions).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^Database ${left[0]?.globalClusterIdentifier} still writes in ${SOURCE} while the others moved`,
          ),
        ),
      ]),
    );
    expect(answersOnly(r.after.dns, plan, TARGET)).toBe(true);
    expect(applied(r, 'RemoveFromGlobalCluster')).toEqual([]);
  });
});
