import { readSignal } from '../aws/cloudwatch.js';
import { decideSustained } from '../decisions/sustained.js';
import type { StepDeps } from '../handlers/define-step.js';

export interface RegionHealth {
  /** Signals watching the region that could be read. */
  read: number;
  /** Names of those showing K of N failing. */
  failing: string[];
  /** Names of those with any failing datapoint in the last N periods (not healthy throughout). */
  unsettled: string[];
}

/**
 * The health of `region` by its own signals (those that watch it), on the data already recorded.
 * Signals read from `failedRegion` that do not answer are left out: they say nothing about
 * `region`. Used before a failover (do not move into a sick region) and after it (verify).
 */
export async function regionHealth(
  region: string,
  failedRegion: string,
  deps: StepDeps,
): Promise<RegionHealth> {
  const { plan, clients, now } = deps;
  const signals = plan.signals.filter((s) => s.watches === region);
  const readings = await Promise.all(
    signals.map((signal) =>
      readSignal(clients, signal, {
        now: now(),
        datapoints: plan.sustained.ofLastDatapoints,
        sourceRegion: failedRegion,
        failedRegionCallMs: plan.timeouts.failedRegionCallMs,
      }),
    ),
  );
  const usable = readings.filter((r) => r.readable);
  const verdict = decideSustained({
    rule: { ...plan.sustained, maxRechecks: 0 },
    sourceRegion: failedRegion,
    readings: usable,
    attempt: 0,
    now: now(),
  });
  const unsettled = verdict.verdicts.filter((v) => v.failingDatapoints > 0).map((v) => v.name);
  return { read: usable.length, failing: verdict.failing, unsettled };
}
