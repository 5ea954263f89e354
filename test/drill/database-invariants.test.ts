import { beforeAll, describe, expect, it } from 'vitest';
import { writersServing } from '../../src/drill/invariants.js';
import { type DrillResult, runDrill } from '../../src/drill/run-drill.js';
import { findScenario } from '../../src/drill/scenarios.js';
import { type CloudState, neverWorse, successMeansServed } from '../../src/drill/settled-invariants.js';
import { loadPlanFile } from '../../src/plan/load.js';

/** The invariants judge every database of a plan with several: a split is never silent. */

const plan = loadPlanFile('test/fixtures/plans/three-databases.json');
const kinds = (r: { problems?: { kind: string }[] }) => (r.problems ?? []).map((p) => p.kind);

/** `state` with payments-global's writer put back in us-east-1, as if it never moved. */
function leftBehind<T extends CloudState>(state: T): T {
  const split = structuredClone(state);
  const payments = split.databases?.find((db) => db.globalClusterIdentifier === 'payments-global');
  for (const m of payments?.members ?? []) {
    m.isWriter = m.region === 'us-east-1';
    m.acceptsWrites = m.isWriter;
  }
  return split;
}

describe('invariants over several databases', () => {
  let r: DrillResult;
  beforeAll(async () => {
    r = await runDrill(findScenario('three-databases'));
  });

  it('never-worse calls a database left writing in the old region a split, unless a report hands it over', () => {
    const split = leftBehind(r.after);
    const handOver =
      'Database payments-global still writes in us-east-1 while the others moved to us-west-2: ...';

    expect(neverWorse(plan, r.before, r.after).held).toBe(true);
    expect(kinds(neverWorse(plan, r.before, split))).toEqual(['split-writers']);
    expect(neverWorse(plan, r.before, split, { unreachableRegions: [], actions: [handOver] }).held).toBe(
      true,
    );
  });

  it('success-means-served needs every database writing in the target at verifiedAt', () => {
    const at = r.report?.verifiedAt ?? '';
    const served = { ...structuredClone(r.after), at };

    expect(successMeansServed(plan, r.executions, [r.before, served]).held).toBe(true);
    expect(successMeansServed(plan, r.executions, [r.before, leftBehind(served)]).problems).toEqual([
      expect.objectContaining({
        kind: 'target-not-writer',
        detail: expect.stringContaining('payments-global'),
      }),
    ]);
  });

  it('judges two writers per database: databases writing in different regions are not two writers of one', () => {
    const split = leftBehind(r.after);

    expect(writersServing(r.after, plan)).toEqual(['us-west-2']);
    // DNS sends clients to us-west-2 only: payments' writer in us-east-1 takes no traffic.
    expect(writersServing(split, plan)).toEqual(['us-west-2']);
  });
});
