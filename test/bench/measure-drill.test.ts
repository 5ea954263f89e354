import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeFloor } from '../../src/bench/critical-path.js';
import { alarmChangedAt, measureDrill } from '../../src/bench/measure-drill.js';
import { sequentialTakeOver } from '../../src/bench/sequential-asl.js';
import { STATE_MACHINE_FILE } from '../../src/drill/run-drill.js';
import { findScenario } from '../../src/drill/scenarios.js';

describe('measuring a drill', () => {
  it('observing the cloud every 250 ms does not change the drill, and the floor is under the RTO', async () => {
    const scenario = findScenario('region-outage');
    const watched = await measureDrill(scenario, { seed: 1 });
    const alone = await measureDrill(scenario, { seed: 1, pollMs: 0 });
    expect(watched.rtoSeconds).not.toBeNull();
    expect(watched.rtoSeconds).toBe(alone.rtoSeconds);
    expect(watched.callsByCommand).toEqual(alone.callsByCommand);
    const floor = computeFloor(watched.trace);
    expect(floor.ms).not.toBeNull();
    expect((floor.ms ?? 0) / 1000).toBeLessThanOrEqual(watched.rtoSeconds ?? 0);
    // Without its own observations the benchmark would see the end of each term only at the
    // orchestrator's next poll: the floor would be larger.
    expect(computeFloor(alone.trace).ms ?? 0).toBeGreaterThanOrEqual(floor.ms ?? 0);
    expect(watched.statesEntered).toBeGreaterThan(watched.invocations.length);
  });

  it('drills the sequential baseline through the definition override: same outcome, later RTO', async () => {
    const scenario = findScenario('region-outage');
    const definition = sequentialTakeOver(JSON.parse(readFileSync(STATE_MACHINE_FILE, 'utf8')));
    const baseline = await measureDrill(scenario, { seed: 1, definition, pollMs: 0 });
    const deployed = await measureDrill(scenario, { seed: 1, pollMs: 0 });
    expect(baseline.outcome).toBe('succeeded');
    expect(baseline.rtoSeconds ?? 0).toBeGreaterThan(deployed.rtoSeconds ?? Number.POSITIVE_INFINITY);
    // The scale-up starts only once the promotion is done.
    const first = (state: string) => baseline.invocations.find((i) => i.stateName === state)?.startedAt ?? 0;
    const promoted =
      baseline.invocations.filter((i) => i.stateName === 'CheckPromotion').at(-1)?.endedAt ?? 0;
    expect(first('ScaleTarget')).toBeGreaterThanOrEqual(promoted);
  });

  it('reads the alarm time CloudWatch puts in the event', () => {
    expect(alarmChangedAt({ detail: { state: { timestamp: '2026-11-22T02:59:55.000+0000' } } })).toBe(
      Date.parse('2026-11-22T02:59:55.000Z'),
    );
    expect(alarmChangedAt({ version: 1, mode: 'manual' })).toBeNull();
  });
});
