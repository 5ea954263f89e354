import { describe, expect, it } from 'vitest';
import {
  type Datapoint,
  decideSustained,
  PUBLISH_LAG_PERIODS,
  recentSlots,
  type SignalReading,
  type SustainedRule,
} from '../../src/decisions/sustained.js';

const NOW = new Date('2024-05-14T10:07:30Z');
const MINUTE = 60_000;
/** The newest complete 60 s period at NOW. */
const NEWEST = new Date('2024-05-14T10:06:00Z').getTime();
/** Start of the period still in progress at NOW. */
const IN_PROGRESS = NEWEST + MINUTE;
const SOURCE = 'us-east-1';
const TARGET = 'us-west-2';

const RULE: SustainedRule = {
  failingDatapoints: 3,
  ofLastDatapoints: 5,
  minFailingSignals: 2,
  recheckIntervalSeconds: 30,
  maxRechecks: 4,
};

/** Values newest first, one per minute ending at `newest`; null is a gap (no datapoint). */
function series(values: (number | null)[], newest = NEWEST): Datapoint[] {
  return values.flatMap((value, i) =>
    value === null ? [] : [{ timestamp: new Date(newest - i * MINUTE), value }],
  );
}

type Signal = SignalReading['signal'];
const signalReading =
  (signal: Signal) =>
  (values: (number | null)[], overrides: Partial<SignalReading> = {}): SignalReading => ({
    signal,
    readable: true,
    datapoints: series(values),
    ...overrides,
  });
/** 5xx count read in the failed region: failing above 50. */
const alb = signalReading({
  name: 'alb-5xx',
  readFrom: SOURCE,
  periodSeconds: 60,
  failingWhen: { comparison: '>', threshold: 50 },
});
/** Canary success rate read in the target region: failing below 90. */
const canary = signalReading({
  name: 'canary',
  readFrom: TARGET,
  periodSeconds: 60,
  failingWhen: { comparison: '<', threshold: 90 },
});

const unreadable = { readable: false, datapoints: [], detail: 'timeout: no answer within 3000 ms' };
const ALB_FAILING = [120, 340, null, 95, 3];
const CANARY_FAILING = [0, 0, 33.3, 100, 100];
const CANARY_HEALTHY = [100, 100, 100, 100, 100];

interface Case {
  name: string;
  readings: SignalReading[];
  attempt?: number;
  rule?: Partial<SustainedRule>;
  decision: 'failover' | 'recheck' | 'no-action';
  failing: string[];
  reason?: RegExp;
}

const cases: Case[] = [
  {
    name: 'fails over at once when two signals show K of N failing',
    readings: [alb(ALB_FAILING), canary(CANARY_FAILING)],
    decision: 'failover',
    failing: ['alb-5xx', 'canary'],
    reason: /^sustained: 2 of the 2 required signals show 3 of 5 failing/,
  },
  {
    name: 'fails over without any recheck budget',
    readings: [alb(ALB_FAILING), canary(CANARY_FAILING)],
    rule: { maxRechecks: 0 },
    decision: 'failover',
    failing: ['alb-5xx', 'canary'],
  },
  {
    name: 'fails over on the first look even when the newest datapoints have recovered',
    readings: [alb([10, 120, 340, 95, 3]), canary([100, 0, 0, 20, 100])],
    decision: 'failover',
    failing: ['alb-5xx', 'canary'],
  },
  {
    name: 'rechecks when one signal fails and the other has just started failing',
    readings: [alb(ALB_FAILING), canary([0, 100, 100, 100, 100])],
    decision: 'recheck',
    failing: ['alb-5xx'],
    reason: /canary may still get there \(recheck 1 of 4\)/,
  },
  {
    name: 'rechecks a flapping signal whose newest datapoint is healthy but may still reach K',
    readings: [alb(ALB_FAILING), canary([100, 0, 0, 100, 100])],
    decision: 'recheck',
    failing: ['alb-5xx'],
  },
  {
    name: 'takes no action when only one signal fails and the other is healthy',
    readings: [alb(ALB_FAILING), canary(CANARY_HEALTHY)],
    decision: 'no-action',
    failing: ['alb-5xx'],
    reason: /^blip: 1 of the 2 required signals/,
  },
  {
    name: 'does not count gaps as failing',
    readings: [alb([120, null, null, 95, null]), canary(CANARY_FAILING)],
    attempt: 4,
    decision: 'no-action',
    failing: ['canary'],
  },
  {
    name: 'treats a metric without any datapoint as healthy, not unreadable',
    readings: [alb([null, null, null, null, null]), canary(CANARY_FAILING)],
    decision: 'no-action',
    failing: ['canary'],
  },
  {
    // Two periods late, oldest first: reading the first datapoint as the newest would anchor
    // the window at 10:06 and lose the failing 10:01 and 10:00.
    name: 'orders datapoints by timestamp, whatever order they arrive in',
    readings: [
      alb([], { datapoints: series([120, 3, 2, 95, 340], NEWEST - 2 * MINUTE).reverse() }),
      canary([], { datapoints: [...series(CANARY_FAILING)].sort((a, b) => a.value - b.value) }),
    ],
    decision: 'failover',
    failing: ['alb-5xx', 'canary'],
  },
  {
    name: 'counts an unreadable signal in the failed region as failing',
    readings: [alb([], unreadable), canary(CANARY_FAILING)],
    decision: 'failover',
    failing: ['alb-5xx', 'canary'],
  },
  {
    name: 'does not count an unreadable signal in the target region as failing',
    readings: [alb(ALB_FAILING), canary([], unreadable)],
    decision: 'no-action',
    failing: ['alb-5xx'],
  },
  {
    name: 'takes no action when the newest datapoints recovered and K is out of reach',
    readings: [alb([3, 1, 0, 120, 2]), canary([100, 100, 100, 50, 100])],
    decision: 'no-action',
    failing: [],
    reason: /recovered$/,
  },
  {
    name: 'takes no action once the rechecks are exhausted',
    readings: [alb(ALB_FAILING), canary([0, 100, 100, 100, 100])],
    attempt: 4,
    decision: 'no-action',
    failing: ['alb-5xx'],
    reason: /^not sustained after 4 recheck\(s\)/,
  },
  {
    name: 'ignores the period still in progress',
    readings: [alb(ALB_FAILING), canary([], { datapoints: series([0, ...CANARY_HEALTHY], IN_PROGRESS) })],
    decision: 'no-action',
    failing: ['alb-5xx'],
  },
  {
    name: 'ends the window at the newest datapoint when CloudWatch is a period late',
    readings: [
      alb([], { datapoints: series([120, 340, 2, 3, 95], NEWEST - MINUTE) }),
      canary(CANARY_FAILING),
    ],
    decision: 'failover',
    failing: ['alb-5xx', 'canary'],
  },
  {
    name: 'ignores failing data older than the window when the metric stopped reporting',
    readings: [alb([], { datapoints: series(ALB_FAILING, NEWEST - 10 * MINUTE) }), canary(CANARY_FAILING)],
    decision: 'no-action',
    failing: ['canary'],
  },
];

describe('decideSustained', () => {
  it.each(cases)('$name', ({ readings, attempt = 0, rule, decision, failing, reason }) => {
    // Prepare
    const input = { rule: { ...RULE, ...rule }, sourceRegion: SOURCE, readings, attempt, now: NOW };

    // Act
    const result = decideSustained(input);

    // Assess
    expect(result.decision).toBe(decision);
    expect(result.failing).toEqual(failing);
    if (reason) expect(result.reason).toMatch(reason);
  });

  it('reports per-signal counts without counting gaps', () => {
    // Prepare
    const readings = [alb([120, null, 95, null, 3]), canary([], unreadable)];

    // Act
    const { verdicts } = decideSustained({
      rule: RULE,
      sourceRegion: SOURCE,
      readings,
      attempt: 0,
      now: NOW,
    });

    // Assess
    expect(verdicts).toEqual([
      expect.objectContaining({
        name: 'alb-5xx',
        readable: true,
        datapoints: 3,
        failingDatapoints: 2,
        failing: false,
      }),
      expect.objectContaining({
        name: 'canary',
        readFrom: TARGET,
        readable: false,
        datapoints: 0,
        failing: false,
      }),
    ]);
    expect(verdicts[1]?.note).toContain('timeout: no answer within 3000 ms');
  });
});

describe('recentSlots', () => {
  it('returns the N most recent complete periods newest first, with gaps as null', () => {
    // Prepare
    const datapoints = series([7, null, 5, 4, 3, 2, 1]);

    // Act
    const slots = recentSlots(datapoints, 60, 5, NOW);

    // Assess
    expect(slots.map((s) => s.start.toISOString())).toEqual([
      '2024-05-14T10:06:00.000Z',
      '2024-05-14T10:05:00.000Z',
      '2024-05-14T10:04:00.000Z',
      '2024-05-14T10:03:00.000Z',
      '2024-05-14T10:02:00.000Z',
    ]);
    expect(slots.map((s) => s.value)).toEqual([7, null, 5, 4, 3]);
  });

  it('sorts datapoints itself', () => {
    // Prepare
    const datapoints = series([7, 6, 5, 4, 3], NEWEST - 2 * MINUTE).reverse();

    // Act
    const slots = recentSlots(datapoints, 60, 3, NOW);

    // Assess
    expect(slots.map((s) => s.value)).toEqual([7, 6, 5]);
  });

  it('leaves out the period in progress', () => {
    // Prepare
    const datapoints = series([99, 7, 6], IN_PROGRESS);

    // Act
    const slots = recentSlots(datapoints, 60, 2, NOW);

    // Assess
    expect(slots.map((s) => s.value)).toEqual([7, 6]);
  });

  it('returns only gaps, ending at the newest complete period, when the data is stale', () => {
    // Prepare
    const datapoints = series([7, 6, 5], NEWEST - (PUBLISH_LAG_PERIODS + 1) * MINUTE);

    // Act
    const slots = recentSlots(datapoints, 60, 3, NOW);

    // Assess
    expect(slots[0]?.start.toISOString()).toBe('2024-05-14T10:06:00.000Z');
    expect(slots.map((s) => s.value)).toEqual([null, null, null]);
  });

  it('works with high-resolution periods', () => {
    // Prepare
    const newest = new Date('2024-05-14T10:07:10Z').getTime();
    const datapoints = [0, 10_000, 20_000].map((ago, i) => ({ timestamp: new Date(newest - ago), value: i }));

    // Act
    const slots = recentSlots(datapoints, 10, 3, NOW);

    // Assess
    expect(slots.map((s) => s.value)).toEqual([0, 1, 2]);
  });
});
