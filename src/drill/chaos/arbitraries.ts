import fc from 'fast-check';
import type { LatencyProfile } from '../../sim/latencies.js';
import { type ChaosCase, MUTATING_STATES, ORCHESTRATOR_COMMANDS } from './case.js';

/**
 * fast-check arbitraries for chaos cases. Every optional part shrinks towards "absent" (null,
 * false, an empty list) and every number towards its plainest value, so a failing case shrinks
 * to the few faults that matter.
 *
 * A profile says how often each kind of trouble shows up and which latencies the simulated cloud
 * draws from. 'typical' is the bad day the drills already describe (one region's outage, a few
 * API faults, sometimes a crash or a race) on typical latencies; 'pessimistic' is the same mix of
 * trouble, a little more often, on AWS at its slowest (src/sim/latencies.ts, PESSIMISTIC).
 */

export const CHAOS_PROFILES = ['typical', 'pessimistic'] as const;
export type ChaosProfileName = (typeof CHAOS_PROFILES)[number];

interface ChaosProfile {
  latencies: LatencyProfile;
  /** Percent of cases that have the primary's service down around the start. */
  primaryOutage: number;
  /** Percent of cases with further incidents (the other region, APIs unreachable), and at most how many. */
  moreIncidentsPercent: number;
  /** At most this many further incidents, fault rules, racing starts. */
  moreIncidents: number;
  faults: number;
  alsoStarts: number;
  /** Percent of cases with each option. */
  crash: number;
  race: number;
  slowDns: number;
  shortCapacity: number;
  stuckPromotion: number;
  approval: number;
  drain: number;
  headless: number;
  rpoLag: number;
  blackhole: number;
  engineMismatch: number;
  /** Percent of cases whose plan moves three global clusters instead of one. */
  severalDatabases: number;
  slowPromotion: number;
  readLag: number;
  scalerPressure: number;
}

const TYPICAL: ChaosProfile = {
  latencies: 'typical',
  primaryOutage: 75,
  moreIncidentsPercent: 40,
  moreIncidents: 2,
  faults: 4,
  alsoStarts: 2,
  crash: 25,
  race: 20,
  slowDns: 15,
  shortCapacity: 12,
  stuckPromotion: 10,
  approval: 15,
  drain: 15,
  headless: 8,
  rpoLag: 20,
  blackhole: 15,
  engineMismatch: 8,
  severalDatabases: 20,
  slowPromotion: 10,
  readLag: 15,
  scalerPressure: 15,
};

const PROFILES: Record<ChaosProfileName, ChaosProfile> = {
  typical: TYPICAL,
  pessimistic: {
    ...TYPICAL,
    latencies: 'pessimistic',
    faults: 6,
    slowDns: 25,
    stuckPromotion: 15,
    blackhole: 20,
    slowPromotion: 20,
    readLag: 25,
  },
};

/** The profile by name; an unknown name is an error that lists the known ones. */
export function chaosProfile(name: string): ChaosProfileName {
  if ((CHAOS_PROFILES as readonly string[]).includes(name)) return name as ChaosProfileName;
  throw new Error(`unknown chaos profile "${name}"; profiles: ${CHAOS_PROFILES.join(', ')}`);
}

/** `arb` in `percent`% of cases, else null; shrinks to null. */
function sometimes<T>(percent: number, arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  return fc.oneof(
    { withCrossShrink: true },
    { arbitrary: fc.constant(null), weight: 100 - percent },
    { arbitrary: arb, weight: percent },
  );
}

/** true in `percent`% of cases; shrinks to false. */
function flag(percent: number): fc.Arbitrary<boolean> {
  return sometimes(percent, fc.constant(true)).map((v) => v === true);
}

const start: fc.Arbitrary<ChaosCase['start']> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'alarm' as const }), weight: 40 },
  { arbitrary: fc.constant({ kind: 'manual' as const }), weight: 15 },
  { arbitrary: fc.constant({ kind: 'planned' as const }), weight: 15 },
  {
    arbitrary: fc.record({
      kind: fc.constant('dry-run' as const),
      mode: fc.constantFrom('manual', 'planned'),
    }),
    weight: 10,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('failback' as const),
      oldPrimarySync: fc.constantFrom('connected', 'pending-resync'),
    }),
    weight: 20,
  },
);

type IncidentCase = ChaosCase['incidents'][number];

/** Starts up to 40 minutes before the drill (an alarm is late) or up to 10 minutes into it. */
const incidentTimes = fc
  .record({
    fromSec: fc.integer({ min: -2400, max: 600 }),
    lastsSec: sometimes(50, fc.integer({ min: 60, max: 3600 })),
  })
  .map(({ fromSec, lastsSec }) => ({ fromSec, toSec: lastsSec === null ? null : fromSec + lastsSec }));

const primaryDown: fc.Arbitrary<IncidentCase> = incidentTimes.map((t) => ({
  region: 'primary' as const,
  kind: 'service-down' as const,
  ...t,
}));

/** The primary's service down, or either region's APIs unreachable (the failed region's, or a partition). */
const incident: fc.Arbitrary<IncidentCase> = fc
  .record({
    what: fc.constantFrom(
      { region: 'primary' as const, kind: 'service-down' as const },
      { region: 'primary' as const, kind: 'apis-unreachable' as const },
      { region: 'standby' as const, kind: 'apis-unreachable' as const },
    ),
    times: incidentTimes,
  })
  .map(({ what, times }) => ({ ...what, ...times }));

const fault: fc.Arbitrary<ChaosCase['faults'][number]> = fc.record({
  command: fc.constantFrom(...ORCHESTRATOR_COMMANDS),
  region: sometimes(60, fc.constantFrom('primary' as const, 'standby' as const)),
  error: fc.constantFrom(
    'throttle' as const,
    'server-error' as const,
    'timeout' as const,
    'lost-response' as const,
  ),
  count: fc.integer({ min: 1, max: 8 }),
  fromSec: sometimes(50, fc.integer({ min: 0, max: 1800 })),
});

/** An endpoint that stops answering for up to ten minutes, or for good, in the first half hour. */
const blackhole: fc.Arbitrary<ChaosCase['blackholes'][number]> = fc
  .record({
    region: fc.constantFrom('primary' as const, 'standby' as const),
    service: sometimes(
      80,
      fc.constantFrom(
        'rds' as const,
        'ecs' as const,
        'autoscaling' as const,
        'cloudwatch' as const,
        'dynamodb' as const,
        'sns' as const,
      ),
    ),
    mode: fc.constantFrom('no-connection' as const, 'no-answer' as const),
    fromSec: fc.integer({ min: 0, max: 1800 }),
    lastsSec: sometimes(80, fc.integer({ min: 5, max: 600 })),
  })
  .map(({ lastsSec, ...b }) => ({ ...b, toSec: lastsSec === null ? null : b.fromSec + lastsSec }));

/** Drain weights go down step by step, as the plan schema requires. */
const drainWeights = fc
  .uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 4 })
  .map((ws) => [...ws].sort((a, b) => b - a));

/** Random chaos cases under a profile; each one is plain JSON. */
export function chaosCaseArbitrary(profileName: ChaosProfileName = 'typical'): fc.Arbitrary<ChaosCase> {
  const p = PROFILES[profileName];
  const incidents = fc
    .record({
      outage: sometimes(p.primaryOutage, primaryDown),
      more: sometimes(
        p.moreIncidentsPercent,
        fc.array(incident, { minLength: 1, maxLength: p.moreIncidents }),
      ),
    })
    .map(({ outage, more }) => [...(outage ? [outage] : []), ...(more ?? [])]);
  return fc.record({
    version: fc.constant(1 as const),
    seed: fc.integer({ min: 1, max: 0x7fffffff }),
    latencies: fc.constant(p.latencies),
    start,
    incidents,
    faults: fc.array(fault, { maxLength: p.faults }),
    crashAfter: sometimes(
      p.crash,
      fc.record({ state: fc.constantFrom(...MUTATING_STATES), times: fc.integer({ min: 1, max: 2 }) }),
    ),
    alsoStart: sometimes(
      p.race,
      fc.array(
        fc.record({
          kind: fc.constantFrom('alarm' as const, 'manual' as const, 'planned' as const, 'dry-run' as const),
          afterSec: fc.integer({ min: 0, max: 3600 }),
        }),
        { minLength: 1, maxLength: p.alsoStarts },
      ),
    ).map((v) => v ?? []),
    route53SyncSec: sometimes(p.slowDns, fc.integer({ min: 10, max: 600 })),
    ecsCapacity: sometimes(
      p.shortCapacity,
      fc.record({
        region: fc.constantFrom('standby' as const, 'primary' as const),
        tasks: fc.integer({ min: 0, max: 10 }),
      }),
    ),
    promotionStuck: flag(p.stuckPromotion),
    approval: sometimes(
      p.approval,
      fc.record({
        automatic: fc.constantFrom('wait' as const, 'wait-then-proceed' as const),
        // Up to 17.5 minutes: with the worst case of everything else (102 min with the default
        // timeouts.promotionSeconds of 900 s and the example plan's cache warm-up hook) it still
        // fits the execution timeout, or the plan is refused (src/plan/budget.ts) and the case
        // tests nothing.
        timeoutSeconds: fc.integer({ min: 60, max: 1050 }),
        decision: fc.constantFrom('approve' as const, 'reject' as const, 'ignore' as const),
        afterSec: fc.integer({ min: 0, max: 1800 }),
      }),
    ),
    drain: sometimes(
      p.drain,
      // Up to 280 s a step: four steps and the rest of a planned move's worst case (with the example
      // plan's hook) still fit the execution timeout (src/plan/budget.ts).
      fc.record({ sourceWeights: drainWeights, intervalSeconds: fc.integer({ min: 10, max: 280 }) }),
    ),
    shift: fc.constantFrom('routing-control' as const, 'record-upsert' as const),
    headlessStandby: flag(p.headless),
    rpoLagMs: sometimes(p.rpoLag, fc.integer({ min: 0, max: 5000 })),
    blackholes: sometimes(p.blackhole, fc.array(blackhole, { minLength: 1, maxLength: 2 })).map(
      (v) => v ?? [],
    ),
    engineMismatch: flag(p.engineMismatch),
    databases: sometimes(p.severalDatabases, fc.constant(3 as const)).map((n) => n ?? (1 as const)),
    // Up to 10 minutes: past the slow end users report, still inside the promotion deadline.
    promotionSec: sometimes(p.slowPromotion, fc.integer({ min: 60, max: 600 })),
    globalReadLagSec: sometimes(p.readLag, fc.integer({ min: 0, max: 30 })),
    scalerPressure: sometimes(
      p.scalerPressure,
      fc.record({
        region: fc.constantFrom('primary' as const, 'standby' as const),
        kind: fc.constantFrom('scheduled-action' as const, 'load-surge' as const),
        atSec: fc.integer({ min: 0, max: 1800 }),
        tasks: fc.integer({ min: 1, max: 20 }),
      }),
    ),
  });
}
