import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { type ChaosProfileName, chaosCaseArbitrary } from './arbitraries.js';
import type { ChaosCase } from './case.js';
import { type CaseRun, classOf, runCase, type Violation } from './run-case.js';

/**
 * A chaos campaign: `runs` random cases from one seed, each run as a drill under the invariant
 * checker; then, per class of violation, the first case that showed it shrunk by fast-check to
 * a smallest case that still shows it.
 *
 *   fc.check(seed, numRuns)  ──▶ run i: case_i ──▶ violations, grouped by class
 *   class K first seen at run i ──▶ fc.check(seed, path "i") replays case_i and shrinks it
 *
 * Replaying by path regenerates case_i from the seed, so the shrinker has fast-check's own
 * shrink tree for it (not a re-parsed copy).
 */

export interface CampaignOptions {
  runs: number;
  seed: number;
  profile: ChaosProfileName;
  /** Wall-clock budget per class for shrinking; 0 keeps the first case as found. */
  shrinkSeconds: number;
  /** Only runs whose index this accepts are run (workers split a campaign); default all. */
  mine?: (index: number) => boolean;
  onRun?: (index: number, c: ChaosCase, run: CaseRun) => void;
}

export interface RunSummary {
  index: number;
  outcomes: string[];
  failures: string[];
  violations: Violation[];
  wallMs: number;
}

/** Runs the campaign's cases; the shrinking is separate (shrinkClass), so workers can split the runs. */
export async function runCampaign(options: CampaignOptions): Promise<RunSummary[]> {
  const summaries: RunSummary[] = [];
  let index = 0;
  await fc.check(
    fc.asyncProperty(chaosCaseArbitrary(options.profile), async (c) => {
      const i = index++;
      if (options.mine && !options.mine(i)) return true;
      const run = await runCase(c);
      const { outcomes, failures, violations, wallMs } = run;
      summaries.push({ index: i, outcomes, failures, violations, wallMs });
      options.onRun?.(i, c, run);
      return true;
    }),
    { seed: options.seed, numRuns: options.runs },
  );
  return summaries;
}

/** The case of run `index` of a campaign, regenerated from its seed. */
export function caseAt(seed: number, profile: ChaosProfileName, index: number): ChaosCase {
  const [c] = fc.sample(chaosCaseArbitrary(profile), { seed, path: String(index), numRuns: 1 });
  if (!c) throw new Error(`no case at run ${index} of seed ${seed}`);
  return c;
}

export interface Shrunk {
  case: ChaosCase;
  /** The shrunk case's run: its violations of this class (and any others). */
  run: CaseRun;
  /** fast-check's path to the shrunk case: fc.check(..., { seed, path }) replays it. */
  path: string;
  shrinks: number;
  /** false when the first case did not show the class again (then `case` is that first case). */
  reproduced: boolean;
  wallMs: number;
}

/**
 * Shrinks the case of run `index` to a smallest case that still shows violation class `cls`.
 * Once the budget is spent every further candidate counts as passing, which ends the shrink
 * with the smallest failing case found so far.
 */
export async function shrinkClass(
  options: Pick<CampaignOptions, 'seed' | 'profile' | 'shrinkSeconds'>,
  index: number,
  cls: string,
): Promise<Shrunk> {
  const started = performance.now();
  const deadline = started + options.shrinkSeconds * 1000;
  let attempts = 0;
  const out = await fc.check(
    fc.asyncProperty(chaosCaseArbitrary(options.profile), async (c) => {
      if (attempts++ > 0 && performance.now() > deadline) return true;
      const run = await runCase(c);
      return !run.violations.some((v) => classOf(v) === cls);
    }),
    {
      seed: options.seed,
      path: String(index),
      numRuns: 1,
      endOnFailure: options.shrinkSeconds <= 0,
    },
  );
  const found =
    (out.counterexample?.[0] as ChaosCase | undefined) ?? caseAt(options.seed, options.profile, index);
  const { result: _drill, ...run } = await runCase(found);
  return {
    case: found,
    run,
    path: out.counterexamplePath ?? String(index),
    shrinks: out.numShrinks,
    reproduced: out.failed,
    wallMs: performance.now() - started,
  };
}
