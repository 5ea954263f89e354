import type { z } from 'zod';
import type { FailoverPlan, MetricSignal } from '../plan/schema.js';
import type { signalVerdictSchema } from '../steps/contracts.js';

/**
 * Is the failure sustained? Pure decision over metric data already read: no AWS in here, so
 * every rule of DESIGN.md ("Sustained failure") can be tested on plain numbers.
 */

export type SustainedRule = FailoverPlan['sustained'];
export type SignalVerdict = z.infer<typeof signalVerdictSchema>;
export type SustainedDecisionKind = 'failover' | 'recheck' | 'no-action';

export interface Datapoint {
  /** Start of the period the value aggregates, as CloudWatch reports it. */
  timestamp: Date;
  value: number;
}

export interface SignalReading {
  signal: Pick<MetricSignal, 'name' | 'readFrom' | 'periodSeconds' | 'failingWhen'>;
  /** false when the read did not get an answer (timeout, error); an empty answer is readable. */
  readable: boolean;
  /** In any order: the decision sorts them itself. */
  datapoints: readonly Datapoint[];
  /** Why the read failed, when it did. */
  detail?: string;
}

export interface SustainedInput {
  rule: SustainedRule;
  sourceRegion: string;
  readings: readonly SignalReading[];
  /** How many checks already ran in this execution (0 on the first). */
  attempt: number;
  now: Date;
}

export interface SustainedDecision {
  decision: SustainedDecisionKind;
  verdicts: SignalVerdict[];
  /** Names of the signals counted as failing. */
  failing: string[];
  /** Names of the signals whose evidence is incomplete (worth another look). */
  pending: string[];
  /** One sentence for the timeline and the report. */
  reason: string;
}

export interface PeriodSlot {
  start: Date;
  /** null: CloudWatch has no datapoint for this period (a gap). */
  value: number | null;
}

/**
 * CloudWatch publishes standard metrics a minute or two after their period ends, and late by up
 * to a few periods on a bad day (the pessimistic profile's 180 s, src/sim/latencies.ts), so the
 * newest periods often have no datapoint yet. The window may end this many periods before the
 * newest complete period; the read fetches N + 4 periods to leave room for it.
 */
export const PUBLISH_LAG_PERIODS = 3;

export function isFailingValue(value: number, failingWhen: MetricSignal['failingWhen']): boolean {
  const { comparison, threshold } = failingWhen;
  switch (comparison) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}

/**
 * The `count` most recent complete period slots, newest first, each with its datapoint or null.
 * The period still in progress is left out: a partial Sum looks like a recovery. The window ends
 * at the newest datapoint when that is at most PUBLISH_LAG_PERIODS behind; older data means the
 * metric stopped reporting, and the window ends at the newest complete period (leading gaps).
 */
export function recentSlots(
  datapoints: readonly Datapoint[],
  periodSeconds: number,
  count: number,
  now: Date,
): PeriodSlot[] {
  const periodMs = periodSeconds * 1000;
  const nowMs = now.getTime();
  const complete = datapoints
    .filter((d) => Number.isFinite(d.value) && d.timestamp.getTime() + periodMs <= nowMs)
    .sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime());
  const newestCompleteSlot = Math.floor(nowMs / periodMs) * periodMs - periodMs;
  const newest = complete[0]?.timestamp.getTime();
  const anchor =
    newest !== undefined && newest >= newestCompleteSlot - PUBLISH_LAG_PERIODS * periodMs
      ? newest
      : newestCompleteSlot;
  const slots: PeriodSlot[] = Array.from({ length: count }, (_, i) => ({
    start: new Date(anchor - i * periodMs),
    value: null,
  }));
  for (const d of complete) {
    const slot = slots[Math.round((anchor - d.timestamp.getTime()) / periodMs)];
    // Sorted newest first: a duplicate for the same period keeps the later-reported value.
    if (slot && slot.value === null) slot.value = d.value;
  }
  return slots;
}

interface Assessment {
  verdict: SignalVerdict;
  /** Evidence incomplete and more checks remain. */
  pending: boolean;
  /** Evidence incomplete, regardless of the checks left (tells "exhausted" from "recovered"). */
  trending: boolean;
}

export function decideSustained(input: SustainedInput): SustainedDecision {
  const { rule, attempt } = input;
  const rechecksLeft = Math.max(0, rule.maxRechecks - attempt);
  const assessed = input.readings.map((reading) => assess(reading, input, rechecksLeft));
  const verdicts = assessed.map((a) => a.verdict);
  const failing = verdicts.filter((v) => v.failing).map((v) => v.name);
  const pending = assessed.filter((a) => a.pending).map((a) => a.verdict.name);
  const kOfN = `${rule.failingDatapoints} of ${rule.ofLastDatapoints}`;
  const tally = `${failing.length} of the ${rule.minFailingSignals} required signals show ${kOfN} failing`;
  const named = (names: string[]) => (names.length > 0 ? ` (${names.join(', ')})` : '');

  // Look back first: the alarm has already waited for its own evaluation periods.
  if (failing.length >= rule.minFailingSignals) {
    return {
      decision: 'failover',
      verdicts,
      failing,
      pending,
      reason: `sustained: ${tally}${named(failing)}`,
    };
  }
  if (pending.length > 0) {
    const reason = `evidence incomplete: ${tally}; ${pending.join(', ')} may still get there (recheck ${attempt + 1} of ${rule.maxRechecks})`;
    return { decision: 'recheck', verdicts, failing, pending, reason };
  }
  // The alarm fired, yet no signal shows a single failing datapoint: CloudWatch publishes standard
  // metrics a period or two late, so on the first look the evidence is missing, not healthy.
  const noEvidenceYet =
    attempt === 0 && rechecksLeft > 0 && verdicts.every((v) => v.readable && v.failingDatapoints === 0);
  if (noEvidenceYet) {
    const reason = `no failing datapoint published yet for any signal; looking again (recheck 1 of ${rule.maxRechecks})`;
    return { decision: 'recheck', verdicts, failing, pending, reason };
  }
  const exhausted = rechecksLeft === 0 && assessed.some((a) => a.trending);
  const reason = exhausted
    ? `not sustained after ${rule.maxRechecks} recheck(s): ${tally}${named(failing)}`
    : `blip: ${tally}${named(failing)} and no other signal can still reach ${rule.failingDatapoints}: recovered`;
  return { decision: 'no-action', verdicts, failing, pending, reason };
}

function assess(reading: SignalReading, input: SustainedInput, rechecksLeft: number): Assessment {
  const { signal } = reading;
  const { rule, sourceRegion } = input;
  const base = { name: signal.name, readFrom: signal.readFrom };

  if (!reading.readable) {
    // A failed region's CloudWatch not answering is itself evidence of the outage; the target
    // region's not answering says nothing about the source.
    const inFailedRegion = signal.readFrom === sourceRegion;
    const why = reading.detail ? ` (${reading.detail})` : '';
    const note = inFailedRegion
      ? `unreadable in the failed region ${signal.readFrom}: counted as failing${why}`
      : `unreadable in ${signal.readFrom}, outside the failed region: not counted${why}`;
    const verdict = {
      ...base,
      readable: false,
      datapoints: 0,
      failingDatapoints: 0,
      failing: inFailedRegion,
      note,
    };
    return { verdict, pending: false, trending: false };
  }

  const K = rule.failingDatapoints;
  const N = rule.ofLastDatapoints;
  // Gaps (null) never count as failing: an error-count metric has no datapoint when there are no errors.
  const flags = recentSlots(reading.datapoints, signal.periodSeconds, N, input.now).map((slot) =>
    slot.value === null ? null : isFailingValue(slot.value, signal.failingWhen),
  );
  const failingDatapoints = flags.filter((f) => f === true).length;
  const datapoints = flags.filter((f) => f !== null).length;
  const failing = failingDatapoints >= K;
  const newestFailing = flags.find((f) => f !== null) === true;

  // Evidence is incomplete when the failure may still be building up to K of N.
  //
  //   K=3 of N=5, newest first   t0   t-1  t-2  t-3  t-4
  //   failure under way           X    X    .    .    .    newest failing: look again
  //   flapping                    .    X    X    .    .    2 kept + 2 arriving >= K: look again
  //   recovered blip              .    .    .    X    .    0 kept + 2 arriving < K: done
  //   (X failing, . healthy or gap; 4 rechecks x 30 s leave room for 2 new 60 s periods)
  //
  // Before the rechecks run out, `arriving` new periods slide in at the head and push as many
  // old ones out at the tail; at best every new one fails.
  const couldReachK = (rechecks: number) => {
    const arriving = Math.min(N, Math.ceil((rechecks * rule.recheckIntervalSeconds) / signal.periodSeconds));
    return flags.slice(0, N - arriving).filter((f) => f === true).length + arriving >= K;
  };
  const trending =
    !failing && failingDatapoints > 0 && (newestFailing || couldReachK(Math.max(1, rechecksLeft)));
  const pending = trending && rechecksLeft > 0;

  const counts = `${failingDatapoints} of the last ${N} periods failing, ${N - datapoints} without data`;
  const note = failing
    ? `${counts}: failing`
    : trending
      ? `${counts}: ${newestFailing ? 'newest failing' : `may still reach ${K}`}`
      : datapoints === 0
        ? `no datapoints in the last ${N} periods: not failing`
        : `${counts}: not failing`;
  const noted = reading.detail ? `${note} (${reading.detail})` : note;
  return {
    verdict: { ...base, readable: true, datapoints, failingDatapoints, failing, note: noted },
    pending,
    trending,
  };
}
