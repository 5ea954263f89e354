import type { TimelineEvent } from '../../timeline/types.js';
import type { FailoverReport, StepSummary } from '../types.js';
import type { RetryMark } from './attempts.js';

/**
 * What the timeline chart draws, computed from the report alone (plus the retries its history
 * shows): no AWS fact is derived here that the report does not already state.
 *
 * What "a step" is: one row of `report.steps` (summariseSteps in ../build.ts), that is one
 * workflow step name from its first timeline event to its last, every attempt, poll and wait
 * of it included. A step the state machine ran many times (a polling loop, a retry) is one row
 * of the report, so it is one bar here; its polls, waits, retries and unreachable calls are marks
 * on that bar. The chart therefore has exactly `report.steps.length` bars, in the report's order.
 */
export interface Bar {
  step: string;
  /** Position in report.steps. */
  index: number;
  startMs: number;
  endMs: number;
  summary: StepSummary;
  /** 0: the first lane; a step that overlaps a step of lane 0 in time runs in lane 1, and so on. */
  lane: number;
  critical: boolean;
  marks: Mark[];
}

export type MarkKind = 'retry' | 'unreachable' | 'wait' | 'approval' | 'failed';

export interface Mark {
  kind: MarkKind;
  atMs: number;
  label: string;
}

export interface Layout {
  bars: Bar[];
  lanes: number;
  /** The axis: from the first evidence (or the first step) to the last thing drawn. */
  fromMs: number;
  toMs: number;
  detectedMs: number;
  verifiedMs: number | null;
  /** detection + user-facing RTO: when the last client holding the old DNS answer moved. */
  userFacingMs: number | null;
  /** Retries whose state belongs to no step of the report (listed under the chart). */
  unplaced: RetryMark[];
}

const ms = (iso: string) => Date.parse(iso);

/**
 * Calls into a region that did not answer: the steps say so in their messages ("no answer
 * within 3000 ms", "unreachable", "timed out"). An "unconfirmed" phase alone is not such a call
 * (a compute branch stopped by the other branch ends unconfirmed too): its bar is coloured as
 * unconfirmed instead. Fencing counts its unconfirmed calls in `facts.unconfirmed`.
 */
const UNREACHABLE = /unreachable|unreadable|no answer|not answer|did not respond|timed? ?out|timeout/i;

function marksOf(step: string, events: readonly TimelineEvent[]): Mark[] {
  const marks: Mark[] = [];
  for (const e of events) {
    if (e.step !== step) continue;
    const at = ms(e.at);
    if (e.phase === 'failed') marks.push({ kind: 'failed', atMs: at, label: `failed: ${e.message}` });
    else if (UNREACHABLE.test(e.message))
      marks.push({ kind: 'unreachable', atMs: at, label: `unreachable or timed out: ${e.message}` });
    else if (typeof e.facts?.unconfirmed === 'number' && e.facts.unconfirmed > 0)
      // Fencing counts the calls into the old region that did not get through or were refused.
      marks.push({ kind: 'unreachable', atMs: at, label: `not confirmed by the region: ${e.message}` });
    else if (step === 'await-approval')
      marks.push({ kind: 'approval', atMs: at, label: `approval: ${e.message}` });
    else if (e.phase === 'progress' && /\bwait/i.test(e.message))
      marks.push({ kind: 'wait', atMs: at, label: `wait: ${e.message}` });
  }
  return marks;
}

/**
 * Lanes by time: each step, in the report's order, goes to the first lane whose last step has
 * ended by the time it starts. Steps of one Parallel branch follow each other, so a branch ends up
 * in one lane and the branches that ran at the same time side by side, without this code knowing
 * the state machine's shape (a report of an older definition draws just as well).
 */
function assignLanes(bars: Bar[]): number {
  const laneEnds: number[] = [];
  for (const bar of bars) {
    let lane = laneEnds.findIndex((end) => end <= bar.startMs);
    if (lane < 0) lane = laneEnds.length;
    laneEnds[lane] = Math.max(bar.endMs, laneEnds[lane] ?? bar.endMs);
    bar.lane = lane;
  }
  return Math.max(1, laneEnds.length);
}

/**
 * The critical path as it happened: start from the step that ended last and walk back, each
 * time to the step that ended latest at or before the current one started (the one it waited
 * for). Steps at the same instant count in the report's order. Shortening any step off this path
 * would not have ended the execution sooner.
 */
function markCriticalPath(bars: Bar[]): void {
  const order = [...bars].sort((a, b) => a.startMs - b.startMs || a.index - b.index);
  const rank = new Map(order.map((bar, i) => [bar, i]));
  const byEnd = (a: Bar, b: Bar) => a.endMs - b.endMs || (rank.get(a) ?? 0) - (rank.get(b) ?? 0);
  let current = [...bars].sort(byEnd).at(-1);
  while (current) {
    current.critical = true;
    const here = current;
    current = bars
      .filter(
        (b) =>
          b !== here && !b.critical && b.endMs <= here.startMs && (rank.get(b) ?? 0) < (rank.get(here) ?? 0),
      )
      .sort(byEnd)
      .at(-1);
  }
}

export function layoutOf(report: FailoverReport, retries: readonly RetryMark[] = []): Layout {
  const bars: Bar[] = report.steps.map((summary, index) => ({
    step: summary.step,
    index,
    startMs: ms(summary.startedAt),
    endMs: Math.max(ms(summary.startedAt), ms(summary.endedAt)),
    summary,
    lane: 0,
    critical: false,
    marks: marksOf(summary.step, report.timeline),
  }));
  const unplaced: RetryMark[] = [];
  for (const retry of retries) {
    const bar = bars.find((b) => b.step === retry.step);
    const mark: Mark = {
      kind: 'retry',
      atMs: ms(retry.at),
      label: `retried after ${retry.error} (${retry.state})`,
    };
    if (bar) bar.marks.push(mark);
    else unplaced.push(retry);
  }
  for (const bar of bars) bar.marks.sort((a, b) => a.atMs - b.atMs);
  const lanes = assignLanes(bars);
  markCriticalPath(bars);

  const detectedMs = ms(report.detectedAt);
  const verifiedMs = report.verifiedAt ? ms(report.verifiedAt) : null;
  const userFacingMs =
    report.userFacingRtoSeconds === null ? null : detectedMs + report.userFacingRtoSeconds * 1000;
  const times = [
    detectedMs,
    ...bars.flatMap((b) => [b.startMs, b.endMs, ...b.marks.map((m) => m.atMs)]),
    ...(verifiedMs === null ? [] : [verifiedMs]),
    ...(userFacingMs === null ? [] : [userFacingMs]),
  ].filter(Number.isFinite);
  const fromMs = Math.min(...times);
  // A run of instant steps still gets an axis a second long.
  const toMs = Math.max(fromMs + 1000, ...times);
  return { bars, lanes, fromMs, toMs, detectedMs, verifiedMs, userFacingMs, unplaced };
}
