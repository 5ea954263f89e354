import type { BundleFigures } from './bundles.js';
import { type FailoverCost, failoverCost, type LambdaSettings } from './cost.js';
import type { Floor, Span } from './critical-path.js';
import { type FanOutSize, fanOutLabel } from './fan-out-plan.js';
import { type GoalName, type GoalResult, judge } from './goals.js';
import type { JobResult } from './jobs.js';
import { PRICES } from './prices.js';
import type { WallTime } from './processes.js';
import { median, ratios, round, type Summary, summarize } from './stats.js';

/**
 * Turns the drills' results (and the bundle and wall-time figures) into bench.json: every figure
 * per seed, its median and worst, the goals. Seconds everywhere except byte sizes and the ms of
 * real time (bundles' init, wall times).
 */

export const DEFINITIONS = {
  rto: "the report's RTO: the alarm's state-change time (first evidence) -> the target verified serving (virtual time)",
  floor:
    'detection + max(promotion, scale-up) + traffic shift + verification, each the simulated duration that occurred in the same drill',
  detection:
    "alarm state change (input detail.state.timestamp) -> execution start, plus the VerifyFailure invocations' own time (their GetMetricData calls); rechecks' waits would count against the orchestrator",
  promotion:
    'FailoverGlobalCluster accepted (call start + its latency) -> first observation of the target as the only writer',
  scaleUp:
    "the target's first scale request accepted (UpdateService; RegisterScalableTarget for a service Application Auto Scaling manages, which scale-target scales by its minimum alone) -> first observation of every plan service running its activeCount in the target",
  trafficShift:
    "the traffic request accepted (UpdateRoutingControlStates / ChangeResourceRecordSets) -> first observation of every plan record's authoritative answers pointing at the target only",
  verification: 'the successful VerifyTarget invocation (its reads: writer, capacity, DNS answers, health)',
  baseline:
    'the same drill on the sequential variant (TakeOver Parallel turned into one branch: fence, promote, wait, then scale, wait; src/bench/sequential-asl.ts)',
  observation:
    "the simulated cloud is observed on every change and every 250 ms of virtual time (ends are late by < 250 ms); the drill's own figures are unaffected",
  plannedWindow:
    'first observation of the old writer refusing writes (database member acceptsWrites false) -> first observation of the authoritative answers pointing at the target',
  timeToMove: 'execution start -> verifiedAt (report)',
  stateTransitions:
    'StateEntered events of the execution (every state, inside Parallel branches too) + StateRetried events (Step Functions bills each retry as a transition)',
  gbSeconds:
    "Σ over invocations of memorySize (serverless.yml) / 1024 x duration rounded up to 1 ms (at least 1 ms); durations are virtual: the AWS calls' simulated latency, no CPU time",
  calls: 'calls as the simulated endpoints saw them: each SDK attempt counts (retries included)',
  metricsRequested:
    'MetricStat queries in GetMetricData requests, one count per SDK call (attempts not repeated)',
  pairing:
    "RTO/floor and the planned ratio compare figures of one drill. RTO/baseline and the fan-out ratios compare two variants run on the same seed: the simulator draws each ECS service's task starts and each database's promotion from streams of their own (src/sim/ecs.ts, aurora.ts), so both variants meet the same durations for what they share; API latencies and retry jitter still differ with the calls made, and polls round each difference up. A bigger plan also has more tasks to start, and its slowest task is slower than the smallest plan's: that part of the fan-out ratio is AWS's, not the orchestrator's. Both per seed (judged) and median/median, worst/worst are given.",
};

const seconds = (ms: number | null | undefined) => (typeof ms === 'number' ? ms / 1000 : null);
const spanSeconds = (span: Span | null | undefined) => seconds(span?.ms);

function roundSummary(s: Summary, digits = 3) {
  return { ...s, median: round(s.median, digits), worst: round(s.worst, digits) };
}

/** Results come back from the workers as JSON: sizes are compared by value. */
const sameSize = (a: FanOutSize, b: FanOutSize) =>
  a.services === b.services && a.clusters === b.clusters && a.records === b.records;

function bySeed(results: readonly JobResult[], kind: JobResult['job']['kind'], size?: FanOutSize) {
  return results
    .filter(
      (r) => r.job.kind === kind && (size === undefined || ('size' in r.job && sameSize(r.job.size, size))),
    )
    .sort((a, b) => a.job.seed - b.job.seed);
}

/**
 * Two variants compared as distributions: median / median and worst / worst. A seed fixes each
 * random stream of the simulator (src/sim/random.ts), but a variant that makes other calls in
 * another order (the baseline, a bigger plan) draws different latencies from those streams for
 * the same seed, and the orchestrator's polling rounds every difference up to its next poll: a
 * per-seed ratio mixes that noise into the comparison. Both are reported; goals use per seed.
 */
function distributionRatio(a: Summary, b: Summary) {
  const over = (x: number | null, y: number | null) =>
    x !== null && y !== null && y !== 0 ? round(x / y) : null;
  return { medianOverMedian: over(a.median, b.median), worstOverWorst: over(a.worst, b.worst) };
}

/** Median per command over seeds. */
function medianCalls(results: readonly JobResult[]): Record<string, number> {
  const commands = [...new Set(results.flatMap((r) => Object.keys(r.callsByCommand)))].sort();
  return Object.fromEntries(
    commands.map((c) => [c, median(results.map((r) => r.callsByCommand[c] ?? 0)) ?? 0]),
  );
}

const floorTerms = (floor: Floor | null) => ({
  detection: seconds(floor?.detection.ms),
  alarmToStart: seconds(floor?.detection.alarmToStartMs),
  failureCheck: seconds(floor?.detection.failureCheckMs),
  promotion: spanSeconds(floor?.promotion),
  scaleUp: spanSeconds(floor?.scaleUp),
  trafficShift: spanSeconds(floor?.trafficShift),
  verification: spanSeconds(floor?.verification),
});

function criticalPath(results: readonly JobResult[]) {
  const outage = bySeed(results, 'outage');
  const baseline = bySeed(results, 'baseline');
  const rto = outage.map((r) => r.rtoSeconds);
  const floor = outage.map((r) => seconds(r.floor?.ms));
  const baselineRto = outage.map((r) => baseline.find((b) => b.job.seed === r.job.seed)?.rtoSeconds ?? null);
  const overFloor = ratios(rto, floor);
  const overBaseline = ratios(rto, baselineRto);
  const perSeed = outage.map((r, i) => ({
    seed: r.job.seed,
    outcome: r.outcome,
    rtoSeconds: r.rtoSeconds,
    floorSeconds: round(floor[i] ?? null),
    terms: Object.fromEntries(Object.entries(floorTerms(r.floor)).map(([k, v]) => [k, round(v)])),
    baselineRtoSeconds: baselineRto[i] ?? null,
    baselineOutcome: baseline.find((b) => b.job.seed === r.job.seed)?.outcome ?? null,
    rtoOverFloor: round(overFloor[i] ?? null),
    rtoOverBaseline: round(overBaseline[i] ?? null),
  }));
  const termNames = Object.keys(floorTerms(null)) as (keyof ReturnType<typeof floorTerms>)[];
  return {
    scenario: 'region-outage',
    rtoSeconds: roundSummary(summarize(rto)),
    floorSeconds: roundSummary(summarize(floor)),
    baselineRtoSeconds: roundSummary(summarize(baselineRto)),
    terms: Object.fromEntries(
      termNames.map((t) => [t, roundSummary(summarize(outage.map((r) => floorTerms(r.floor)[t])))]),
    ),
    rtoOverFloor: roundSummary(summarize(overFloor)),
    rtoOverBaseline: roundSummary(summarize(overBaseline)),
    rtoOverBaselineAsDistributions: distributionRatio(summarize(rto), summarize(baselineRto)),
    perSeed,
  };
}

function planned(results: readonly JobResult[]) {
  const runs = bySeed(results, 'planned');
  const window = runs.map((r) => spanSeconds(r.planned?.window));
  const switchover = runs.map((r) => spanSeconds(r.planned?.switchover));
  const shift = runs.map((r) => spanSeconds(r.planned?.trafficShift));
  const ratio = runs.map((r) => r.planned?.ratio ?? null);
  return {
    scenario: 'planned-switchover',
    windowSeconds: roundSummary(summarize(window)),
    timeToMoveSeconds: roundSummary(summarize(runs.map((r) => r.startToVerifiedSeconds))),
    switchoverSeconds: roundSummary(summarize(switchover)),
    trafficShiftSeconds: roundSummary(summarize(shift)),
    hooksWaitedForSeconds: roundSummary(
      summarize(runs.map((r) => (r.planned ? r.planned.hooksMs / 1000 : null))),
    ),
    windowOverSwitchoverPlusShift: roundSummary(summarize(ratio)),
    perSeed: runs.map((r, i) => ({
      seed: r.job.seed,
      outcome: r.outcome,
      hooksWaitedForSeconds: r.planned ? round(r.planned.hooksMs / 1000) : null,
      windowSeconds: round(window[i] ?? null),
      timeToMoveSeconds: round(r.startToVerifiedSeconds),
      switchoverSeconds: round(switchover[i] ?? null),
      trafficShiftSeconds: round(shift[i] ?? null),
      ratio: round(ratio[i] ?? null),
    })),
  };
}

function fanOut(results: readonly JobResult[], sizes: readonly FanOutSize[]) {
  const [smallest] = sizes;
  const reference = smallest ? bySeed(results, 'fanout', smallest) : [];
  const rows = sizes.map((size) => {
    const runs = bySeed(results, 'fanout', size);
    const rto = runs.map((r) => r.rtoSeconds);
    const refRto = runs.map((r) => reference.find((x) => x.job.seed === r.job.seed)?.rtoSeconds ?? null);
    return {
      label: fanOutLabel(size),
      ...size,
      auroraGlobalClusters: size.databases,
      outcomes: [...new Set(runs.map((r) => r.outcome ?? 'no report'))],
      rtoSeconds: roundSummary(summarize(rto)),
      rtoOverSmallest: roundSummary(summarize(ratios(rto, refRto))),
      rtoOverSmallestAsDistributions: distributionRatio(summarize(rto), summarize(refRto)),
      rtoPerSeed: runs.map((r) => ({ seed: r.job.seed, rtoSeconds: r.rtoSeconds })),
      lambdaInvocations: summarize(runs.map((r) => r.invocations.length)),
      stateTransitions: summarize(runs.map((r) => r.statesEntered + r.stateRetries)),
      awsCalls: summarize(runs.map((r) => Object.values(r.callsByCommand).reduce((a, b) => a + b, 0))),
      callsByCommand: medianCalls(runs),
      drillWallMs: summarize(runs.map((r) => Math.round(r.wallMs))),
    };
  });
  return {
    scenario: 'region-outage',
    auroraNote: `Aurora global clusters per size: ${sizes.map((s) => s.databases).join(', ')} (the plan's \`databases\`, fenced, promoted and verified in parallel)`,
    sizes: rows,
    largestOverSmallest: rows.at(-1)?.rtoOverSmallest ?? summarize([]),
    largestOverSmallestAsDistributions: rows.at(-1)?.rtoOverSmallestAsDistributions ?? null,
  };
}

function cost(results: readonly JobResult[], lambda: LambdaSettings) {
  const runs = bySeed(results, 'outage');
  const costs: FailoverCost[] = runs.map((r) =>
    failoverCost(
      {
        statesEntered: r.statesEntered,
        stateRetries: r.stateRetries,
        invocations: r.invocations,
        metricsRequested: r.metricsRequested,
      },
      lambda,
    ),
  );
  const lines = (costs[0]?.lines ?? []).map((line, i) => ({
    item: line.item,
    unit: line.unit,
    quantity: summarize(costs.map((c) => c.lines[i]?.quantity)),
    usd: summarize(costs.map((c) => c.lines[i]?.usd)),
    thirdPartyUsd: summarize(costs.map((c) => c.lines[i]?.thirdPartyUsd)),
    source: line.source,
  }));
  return {
    scenario: 'region-outage',
    plan: 'plans/dev.json',
    lambda: { architecture: lambda.architecture, memoryMb: lambda.memoryMb },
    stateTransitions: summarize(costs.map((c) => c.stateTransitions)),
    statesEntered: summarize(runs.map((r) => r.statesEntered)),
    stateRetries: summarize(runs.map((r) => r.stateRetries)),
    lambdaInvocations: summarize(costs.map((c) => c.lambdaInvocations)),
    gbSeconds: roundSummary(summarize(costs.map((c) => c.gbSeconds)), 4),
    metricsRequested: summarize(costs.map((c) => c.metricsRequested)),
    callsByCommand: medianCalls(runs),
    lines,
    totalUsd: roundSummary(summarize(costs.map((c) => c.totalUsd)), 6),
    totalWithThirdPartyUsd: roundSummary(summarize(costs.map((c) => c.totalWithThirdPartyUsd)), 6),
    prices: PRICES,
  };
}

export interface BenchInputs {
  seeds: number[];
  /** Seeds the fan-out drills ran on (a prefix of `seeds`). */
  fanOutSeeds: number[];
  short: boolean;
  fanOutSizes: readonly FanOutSize[];
  workers: number;
  results: readonly JobResult[];
  lambda: LambdaSettings;
  bundles: BundleFigures[] | { skipped: string };
  wall: { defaultDrill: WallTime | null; drills: WallTime | { skipped: string }; drillPhaseMs: number };
  warnings: string[];
  packaging: string;
}

export function buildReport(input: BenchInputs) {
  const critical = criticalPath(input.results);
  const plannedFigures = planned(input.results);
  const fan = fanOut(input.results, input.fanOutSizes);
  const bundleList = Array.isArray(input.bundles) ? input.bundles : null;
  const maxUnzipped = bundleList ? Math.max(...bundleList.map((b) => b.unzippedBytes)) : null;
  const bundles = bundleList
    ? {
        functions: bundleList.map((b) => ({
          ...b,
          initMs: round(b.initMs, 1),
          processMs: round(b.processMs, 1),
        })),
        maxZipBytes: Math.max(...bundleList.map((b) => b.zipBytes)),
        maxUnzippedBytes: maxUnzipped,
        maxBundleBytes: Math.max(...bundleList.map((b) => b.bundleBytes)),
        initMs: roundSummary(summarize(bundleList.map((b) => b.initMs)), 1),
        packaging: input.packaging,
      }
    : { skipped: (input.bundles as { skipped: string }).skipped };
  const goals: Record<GoalName, GoalResult> = {
    'criticalPath.rtoOverFloor': judge('criticalPath.rtoOverFloor', critical.rtoOverFloor),
    'criticalPath.rtoOverBaseline': judge('criticalPath.rtoOverBaseline', critical.rtoOverBaseline),
    'planned.windowOverSwitchoverPlusShift': judge(
      'planned.windowOverSwitchoverPlusShift',
      plannedFigures.windowOverSwitchoverPlusShift,
    ),
    'fanOut.largestOverSmallest': judge(
      'fanOut.largestOverSmallest',
      fan.largestOverSmallest,
      `${fan.sizes.at(-1)?.label ?? '?'} vs ${fan.sizes[0]?.label ?? '?'}`,
    ),
    'bundles.maxUnzippedBytes': judge(
      'bundles.maxUnzippedBytes',
      maxUnzipped,
      bundleList ? 'every zip entry (bundle, source map, plan)' : 'bundles were not measured',
    ),
  };
  return {
    generatedAt: new Date().toISOString(),
    settings: {
      seeds: input.seeds,
      fanOutSeeds: input.fanOutSeeds,
      short: input.short,
      fanOutSizes: input.fanOutSizes,
      workers: input.workers,
      node: process.version,
    },
    definitions: DEFINITIONS,
    criticalPath: critical,
    planned: plannedFigures,
    fanOut: fan,
    cost: cost(input.results, input.lambda),
    bundles,
    wall: {
      defaultDrill: input.wall.defaultDrill,
      drills: input.wall.drills,
      benchDrillPhaseMs: Math.round(input.wall.drillPhaseMs),
      note: 'real time on this machine: printed, never gated',
    },
    warnings: input.warnings,
    goals,
  };
}

export type BenchReport = ReturnType<typeof buildReport>;
