import { describe, expect, it } from 'vitest';
import { checkedDrill } from '../../src/drill/invariants.js';
import { DRILL_START, startDrill } from '../../src/drill/run-drill.js';
import { LATE_PEAK_ACTION, PEAK_ACTION, SURGE_TASKS } from '../../src/drill/scenarios/scaling.js';
import { findScenario } from '../../src/drill/scenarios.js';
import { type CloudState, recordCloud, SETTLE_MS } from '../../src/drill/settled-invariants.js';
import type { LatencyProfile } from '../../src/sim/latencies.js';

/**
 * Scaling drills: the old primary's own scaler against the fence, and the failback that resumes
 * it, read from the simulated cloud (every state it went through, and where it settled).
 */

const PRIMARY = 'us-east-1';

/** Runs a scenario to its settled end, keeping every state the cloud went through. */
async function drillToSettled(name: string, profile: LatencyProfile = 'typical') {
  let recorded: ReturnType<typeof recordCloud> | undefined;
  const result = await startDrill(findScenario(name), {
    profile,
    onCloud: (cloud) => {
      recorded = recordCloud(cloud);
    },
  });
  try {
    // Settle as the invariants do, looking at the cloud every 30 s: nothing calls AWS by then,
    // and a state is recorded only when something looks.
    for (let waited = 0; waited < SETTLE_MS; waited += 30_000) {
      await result.clock.runUntilSettled(new Promise((resolve) => setTimeout(resolve, 30_000)), 60_000);
      result.cloud.snapshot();
    }
    return { result, settled: result.cloud.snapshot(), states: recorded?.states ?? [] };
  } finally {
    recorded?.stop();
    result.release();
  }
}

const ordersApi = (state: CloudState, region = PRIMARY) =>
  state.services.find((s) => s.region === region && s.service === 'orders-api');

describe('scaling drills', () => {
  it.each<LatencyProfile>(['typical', 'pessimistic'])(
    'scaler-suspended-on-fence (%s): the fence suspends the old primary scaler, whose scheduled action and scale-out never run',
    async (profile) => {
      const { result, settled, states } = await drillToSettled('scaler-suspended-on-fence', profile);

      // The scheduled action fell due (and a scale-out was wanted) well inside the drill.
      expect(Date.parse(settled.at)).toBeGreaterThan(DRILL_START.getTime() + PEAK_ACTION.afterMs + 60_000);
      const fence = result.records.find((r) => r.functionName === 'fenceOldPrimary');
      expect(fence?.outcome.kind).toBe('succeeded');
      // From the fence on, orders-api in us-east-1 never wanted a task again.
      const afterFence = states.filter((s) => Date.parse(s.at) >= (fence?.endedAt ?? 0));
      expect(afterFence.length).toBeGreaterThan(0);
      expect(afterFence.map((s) => ordersApi(s)?.desired)).toEqual(afterFence.map(() => 0));
      // The scalable target as the fence left it: minimum 0, scale-out and scheduled scaling suspended.
      expect(ordersApi(settled)).toMatchObject({
        desired: 0,
        running: 0,
        minCapacity: 0,
        suspended: { dynamicScalingIn: false, dynamicScalingOut: true, scheduledScaling: true },
      });
      expect(
        result.report?.fencing.find((f) => f.resource === 'ecs us-east-1/orders-use1/orders-api')?.outcome,
      ).toBe('fenced');
      // What it found, for a failback to restore: the scaler live, minimum 6.
      const output = fence?.outcome.kind === 'succeeded' ? fence.outcome.output : undefined;
      const found = (
        output as { fencing?: { resource: string; previous?: unknown }[] } | undefined
      )?.fencing?.find((f) => f.resource === 'ecs us-east-1/orders-use1/orders-api');
      expect(found?.previous).toMatchObject({
        minCapacity: 6,
        suspended: { dynamicIn: false, dynamicOut: false, scheduled: false },
      });
      expect(result.report?.outcome).toBe('succeeded');
    },
  );

  it('scaler-suspended-on-fence holds every invariant', async () => {
    const { checks } = await checkedDrill(findScenario('scaler-suspended-on-fence'), 1);

    expect(checks.filter((c) => !c.held)).toEqual([]);
  });

  it('failback-resumes-scaler: the failback resumes what the fence suspended; load and the schedule scale the primary again', async () => {
    const { result, settled, states } = await drillToSettled('failback-resumes-scaler');

    expect(result.report?.outcome).toBe('succeeded');
    expect(ordersApi(states[0] as CloudState)).toMatchObject({
      desired: 0,
      suspended: { dynamicScalingOut: true, scheduledScaling: true },
    });
    // Target tracking scaled it out on the surge once traffic arrived...
    expect(states.some((s) => ordersApi(s)?.desired === SURGE_TASKS)).toBe(true);
    // ...and the evening scheduled action ran.
    expect(ordersApi(settled)).toMatchObject({
      desired: LATE_PEAK_ACTION.minCapacity,
      minCapacity: LATE_PEAK_ACTION.minCapacity,
      suspended: { dynamicScalingIn: false, dynamicScalingOut: false, scheduledScaling: false },
    });
    const scaled = result.records.find(
      (r) => r.functionName === 'scaleTarget' && r.outcome.kind === 'succeeded',
    );
    expect(JSON.stringify(scaled?.outcome)).toContain('"scalingResumed":true');
  });
});
