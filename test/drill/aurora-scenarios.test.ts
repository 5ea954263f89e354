import { describe, expect, it } from 'vitest';
import { checkedDrill } from '../../src/drill/invariants.js';
import type { DrillResult } from '../../src/drill/run-drill.js';
import { findScenario } from '../../src/drill/scenarios.js';
import { examplePlan } from '../support/plan.js';

/** Aurora drills (src/drill/scenarios/aurora.ts): read from the simulated cloud and the report. */

const drill = async (name: string, seed = 1): Promise<DrillResult> => {
  const { result, checks } = await checkedDrill(findScenario(name), seed);
  expect(checks.filter((c) => !c.held)).toEqual([]);
  return result;
};
const calls = (r: DrillResult, command: string) => r.cloud.calls.filter((c) => c.command === command);
/** Calls that changed the cloud: answered ok, or applied with the answer lost. */
const applied = (r: DrillResult, command: string) =>
  calls(r, command).filter((c) => c.outcome === 'ok' || c.lostResponse === true);
const events = (r: DrillResult, step: string) => (r.report?.timeline ?? []).filter((e) => e.step === step);

describe('aurora drills', () => {
  it('slow-promotion: waits out an 8-minute managed failover on the pessimistic profile, and never detaches', async () => {
    const r = await drill('slow-promotion');

    expect(r.report?.outcome).toBe('succeeded');
    expect(applied(r, 'FailoverGlobalCluster')).toHaveLength(1);
    expect(calls(r, 'RemoveFromGlobalCluster')).toEqual([]);
    expect(r.after.database.writerRegion).toBe('us-west-2');
    const promoted = events(r, 'promote-database').find((e) => e.phase === 'succeeded');
    // Pending (10-30 s) + the pinned 8 minutes + the read lag: inside timeouts.promotionSeconds.
    expect(Number(promoted?.facts?.elapsedSeconds)).toBeGreaterThanOrEqual(490);
    expect(Number(promoted?.facts?.elapsedSeconds)).toBeLessThan(examplePlan().timeouts.promotionSeconds);
  });

  it.each([1, 2, 3])(
    'promotion-retry-after-lost-response (seed %i): exactly one failover applied; the refused repeat is read as under way and confirmed',
    async (seed) => {
      const r = await drill('promotion-retry-after-lost-response', seed);
      const failovers = calls(r, 'FailoverGlobalCluster');

      expect(r.report?.outcome).toBe('succeeded');
      expect(applied(r, 'FailoverGlobalCluster')).toHaveLength(1);
      expect(failovers[0]).toMatchObject({ outcome: 'TimeoutError', lostResponse: true });
      // No other failover or switchover was ever accepted: every repeat was refused.
      expect(failovers.slice(1).every((c) => c.outcome === 'InvalidGlobalClusterStateFault')).toBe(true);
      expect(calls(r, 'SwitchoverGlobalCluster')).toEqual([]);
      expect(calls(r, 'RemoveFromGlobalCluster')).toEqual([]);
      expect(r.after.database.writerRegion).toBe('us-west-2');
      expect(events(r, 'promote-database')[0]).toMatchObject({
        phase: 'started',
        message: expect.stringMatching(/RDS refused a repeat as already under way/),
        facts: expect.objectContaining({ repeatRefused: true }),
      });
      expect(events(r, 'promote-database').at(-1)?.phase).toBe('succeeded');
    },
  );

  it('engine-version-mismatch: sends no managed failover, waits for the fenced tasks, detaches, and says why', async () => {
    const r = await drill('engine-version-mismatch');

    expect(r.report?.outcome).toBe('succeeded');
    expect(calls(r, 'FailoverGlobalCluster')).toEqual([]);
    expect(applied(r, 'RemoveFromGlobalCluster')).toHaveLength(1);
    expect(r.after.database.members.find((m) => m.region === 'us-west-2')).toMatchObject({
      isWriter: true,
      acceptsWrites: true,
      synchronizationStatus: 'detached',
      engineVersion: '16.6',
    });
    expect(events(r, 'promote-database')).toEqual([
      expect.objectContaining({
        phase: 'skipped',
        message: expect.stringMatching(
          /^managed failover of orders-global not used: engine versions differ \(source 16\.4, target 16\.6\)/,
        ),
      }),
    ]);
    const detach = events(r, 'detach-target');
    // The safety wait ran: the fenced tasks drained before anything was detached.
    expect(detach[0]).toMatchObject({
      phase: 'progress',
      message: expect.stringMatching(/^waiting to detach orders-usw2/),
    });
    expect(detach.map((e) => e.phase)).toContain('started');
    expect(detach.at(-1)).toMatchObject({ phase: 'succeeded' });
    expect(r.report?.actions.join('\n')).toMatch(
      /The managed Aurora failover could not be used \(engine versions differ .*rebuild the global database/,
    );
    expect(r.report?.rpo.basis).toMatch(/before the target was detached/);
  });
});
