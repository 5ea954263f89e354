import { describe, expect, it } from 'vitest';
import { meetsExpectation } from '../../src/drill/expectations.js';
import { checkedDrill } from '../../src/drill/invariants.js';
import { findScenario } from '../../src/drill/scenarios.js';
import type { CloudSnapshot } from '../../src/sim/cloud.js';

/**
 * The plan's lock after an operator stops a failover: `failover stop` and `failover unlock` run
 * as typed against the simulated cloud, and nothing else writes the lock table.
 */

const drill = async (name: string) => {
  const scenario = findScenario(name);
  const { result, checks } = await checkedDrill(scenario, 1);
  return { r: result, checks, scenario };
};
const lockTable = (s: CloudSnapshot) =>
  s.tables.find((t) => t.table === 'failover-locks' && t.region === 'us-west-2')?.items ?? [];
/** Every lock-table write, by whom: the steps run in Lambda, the operator's commands do not. */
const lockWrites = (calls: { command: string; outcome: string }[]) =>
  calls
    .filter(
      (c) => c.outcome === 'ok' && /^(PutItem|UpdateItem|DeleteItem|TransactWriteItems)$/.test(c.command),
    )
    .map((c) => c.command);

describe('lock drills', () => {
  it('stop-then-start: failover stop frees the lock, and the next failover takes it and succeeds', async () => {
    const { r, checks, scenario } = await drill('stop-then-start');

    expect(meetsExpectation(r, scenario.expected)).toBe(true);
    expect(checks.filter((c) => !c.held)).toEqual([]);
    const [stopped, next] = r.executions;
    expect(stopped?.status).toBe('ABORTED');
    expect(stopped?.error?.name).toBe('StoppedByOperator');
    expect(stopped?.history.at(-1)?.type).toBe('ExecutionAborted');
    expect(r.operatorLog).toContain(
      "[failover stop] Lock: released plan orders's lock held by drill-stop-then-start-1 (token 1): another failover may start now.",
    );
    expect(r.operatorLog).toContain('[failover stop] exit 0');
    // The next execution took the lock anew (token 1: the item was deleted) and ended in a cool-down.
    expect(next?.report?.timeline.find((e) => e.step === 'acquire-lock')?.message).toMatch(/^took the lock/);
    expect(next?.report?.lock.state).toBe('cooldown');
    const items = lockTable(r.after);
    expect(items.find((i) => i.plan === 'orders')).toMatchObject({
      holder: 'drill-stop-then-start-1-2',
      state: 'cooldown',
    });
    expect(items.find((i) => String(i.plan).startsWith('audit#'))).toMatchObject({
      action: 'release-on-stop',
      by: 'oncall@example.com',
      removedHolder: 'drill-stop-then-start-1',
    });
    // take, stop's delete with its audit record (one transaction), take, cool-down
    expect(lockWrites(r.cloud.calls)).toEqual([
      'UpdateItem',
      'TransactWriteItems',
      'UpdateItem',
      'UpdateItem',
    ]);
  });

  it('unlock-after-console-stop: unlock refuses a running holder; after a console stop it frees the lock and the next start succeeds', async () => {
    const { r, checks, scenario } = await drill('unlock-after-console-stop');

    expect(meetsExpectation(r, scenario.expected)).toBe(true);
    expect(checks.filter((c) => !c.held)).toEqual([]);
    const [stopped, blocked, next] = r.executions;
    expect(stopped?.status).toBe('ABORTED');
    expect(blocked?.report?.outcome).toBe('suppressed');
    expect(blocked?.report?.timeline.find((e) => e.step === 'acquire-lock')?.message).toMatch(
      /drill-unlock-after-console-stop-1/,
    );
    // The first unlock came while the switchover still ran: refused, naming it and failover stop.
    expect(r.operatorLog).toContainEqual(
      expect.stringMatching(
        /^\[failover unlock\] failover unlock: plan orders's lock is held by drill-unlock-after-console-stop-1 .*, and drill-unlock-after-console-stop-1 is RUNNING: nothing removed\. To end it: failover stop drill-unlock-after-console-stop-1/,
      ),
    );
    expect(r.operatorLog.filter((line) => line.endsWith(' exit 1'))).toEqual(['[failover unlock] exit 1']);
    expect(r.operatorLog).toContain('[failover unlock] exit 0');
    expect(r.operatorLog.join('\n')).toMatch(/holder status: ABORTED/);
    expect(next?.report?.outcome).toBe('succeeded');
    expect(lockTable(r.after).find((i) => String(i.plan).startsWith('audit#'))).toMatchObject({
      action: 'unlock',
      removedHolder: 'drill-unlock-after-console-stop-1',
      holderStatus: 'ABORTED',
    });
  });
});
