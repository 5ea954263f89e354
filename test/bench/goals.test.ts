import { describe, expect, it } from 'vitest';
import { ciLimit, GOALS, judge } from '../../src/bench/goals.js';

const summary = (median: number, worst: number, missing = 0) => ({ median, worst, n: 3, missing });

describe('judge', () => {
  it('judges a ratio on its worst seed, and CI on the same goal when no ceiling is set', () => {
    const met = judge('criticalPath.rtoOverFloor', summary(1.05, 1.09));
    expect(met).toMatchObject({ value: 1.09, median: 1.05, met: true, ciLimit: 1.1, withinCiLimit: true });
    const missed = judge('criticalPath.rtoOverFloor', summary(1.05, 1.11));
    expect(missed).toMatchObject({ met: false, withinCiLimit: false });
  });

  it('reports a goal known unmet as NOT met while CI holds it to its ceiling', () => {
    expect(ciLimit('fanOut.largestOverSmallest')).toBeGreaterThan(GOALS['fanOut.largestOverSmallest'].goal);
    const today = judge('fanOut.largestOverSmallest', summary(1.25, 1.38));
    expect(today).toMatchObject({ met: false, withinCiLimit: true });
    const regressed = judge(
      'fanOut.largestOverSmallest',
      summary(1.4, ciLimit('fanOut.largestOverSmallest') + 0.01),
    );
    expect(regressed.withinCiLimit).toBe(false);
  });

  it('never passes a figure that was not measured, or a seed without one', () => {
    expect(judge('bundles.maxUnzippedBytes', null)).toMatchObject({ met: false, withinCiLimit: false });
    expect(judge('criticalPath.rtoOverFloor', summary(1.0, 1.0, 1))).toMatchObject({
      met: false,
      withinCiLimit: false,
    });
  });
});
