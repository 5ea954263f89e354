import type { DescribeExecutionCommandOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { lastStateEntered, type PendingApproval, pendingApproval } from '../history/events.js';
import { type ExecutionSummary, rebuildReport, rebuildState } from '../history/rebuild.js';
import { collectTimeline } from '../report/collect.js';
import { renderReport, renderTimelineLine } from '../report/render.js';
import type { FailoverReport } from '../report/types.js';
import type { TimelineEvent } from '../timeline/types.js';
import { type StepFunctions, summaryOf } from './aws.js';
import { CliError } from './errors.js';
import { duration, eventKey } from './format.js';

/** Polling interval of `--follow` and `--wait`: timeline events arrive as steps finish. */
export const FOLLOW_INTERVAL_MS = 5000;

export interface Snapshot {
  described: DescribeExecutionCommandOutput;
  events: HistoryEvent[];
  timeline: TimelineEvent[];
  /** The state it is in now (or stopped in). */
  at: string | null;
  approval: PendingApproval | null;
}

export async function snapshot(sfn: StepFunctions, executionArn: string): Promise<Snapshot> {
  const [described, events] = await Promise.all([sfn.describe(executionArn), sfn.history(executionArn)]);
  return {
    described,
    events,
    timeline: collectTimeline(rebuildState(events).state),
    at: lastStateEntered(events),
    approval: pendingApproval(events),
  };
}

/** The report of an ended execution; a clear line for one still running. */
export function reportFrom(execution: ExecutionSummary, events: readonly HistoryEvent[]): FailoverReport {
  if (execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE') {
    throw new CliError(
      `execution ${execution.name} is still running (now in ${lastStateEntered(events) ?? 'its first state'}): there is no report yet; see failover status ${execution.name}`,
    );
  }
  return rebuildReport(events, execution);
}

export const reportOf = (snap: Pick<Snapshot, 'described' | 'events'>) =>
  reportFrom(summaryOf(snap.described), snap.events);

export function elapsed(snap: Snapshot, now: Date): string {
  const start = snap.described.startDate ?? now;
  return duration((snap.described.stopDate ?? now).getTime() - start.getTime());
}

/**
 * Follows an execution until it ends: prints each timeline event once, as it appears, and a
 * line when the execution moves to another state or starts waiting for approval.
 */
export async function follow(
  sfn: StepFunctions,
  executionArn: string,
  printed: Set<string> = new Set(),
): Promise<Snapshot> {
  const { io } = sfn;
  let lastAt: string | null = null;
  let announcedApproval: string | null = null;
  for (;;) {
    const snap = await snapshot(sfn, executionArn);
    for (const e of snap.timeline) {
      if (printed.has(eventKey(e))) continue;
      printed.add(eventKey(e));
      io.out(renderTimelineLine(e));
    }
    if (snap.described.status !== 'RUNNING') return snap;
    if (snap.approval && snap.approval.taskToken !== announcedApproval) {
      announcedApproval = snap.approval.taskToken;
      const name = snap.described.name ?? '';
      io.out(
        `          waiting for approval in ${snap.approval.stateName}: failover approve ${name} --by WHO, or failover reject ${name} --by WHO --reason TEXT`,
      );
    } else if (snap.at !== lastAt) {
      io.out(`          now in ${snap.at ?? '(starting)'} (${elapsed(snap, io.now())} elapsed)`);
    }
    lastAt = snap.at;
    await io.sleep(FOLLOW_INTERVAL_MS);
  }
}

/** The closing lines of `--follow` and `--wait`: how it ended, then the report. */
export function printEnd(sfn: StepFunctions, snap: Snapshot): number {
  const { described } = snap;
  const error = described.error ? ` (${described.error})` : '';
  sfn.io.out(
    `\nExecution ${described.name} ${described.status}${error} after ${elapsed(snap, sfn.io.now())}.\n`,
  );
  sfn.io.out(renderReport(reportOf(snap)));
  return described.status === 'SUCCEEDED' ? 0 : 1;
}
