import type { FailoverReport } from '../report/types.js';
import type { FailoverRequest } from '../steps/request.js';
import type { Facts, TimelineEvent } from '../timeline/types.js';
import {
  consoleUrlOf,
  type DetailType,
  eventIdOf,
  type FailoverEventDetail,
  MOMENT_DETAIL_TYPES,
  type Moment,
  OUTCOME_DETAIL_TYPES,
  SCHEMA_VERSION,
} from './detail.js';
import type { FailoverEvents, PublishOutcome } from './types.js';

/** What a moment's event says besides the request: a failure or an approval, and a line to read. */
export interface MomentFacts {
  summary: string;
  failure?: FailoverEventDetail['failure'];
  approval?: FailoverEventDetail['approval'];
}

function execution(name: string, arn: string | null) {
  return { name, arn, consoleUrl: consoleUrlOf(arn) };
}

/** The detail of Started, Approval Requested or Step Failed: what the request says, and when. */
export function momentDetail(
  moment: Moment,
  request: FailoverRequest,
  at: Date,
  orchestratorRegion: string,
  facts: MomentFacts,
): { detailType: DetailType; detail: FailoverEventDetail } {
  const exec = execution(request.executionName, request.executionArn ?? null);
  return {
    detailType: MOMENT_DETAIL_TYPES[moment],
    detail: {
      schemaVersion: SCHEMA_VERSION,
      eventId: eventIdOf(exec, moment, facts.failure?.step),
      at: at.toISOString(),
      plan: request.planName,
      execution: exec,
      mode: request.mode,
      dryRun: request.dryRun === true,
      regions: { from: request.sourceRegion, to: request.targetRegion, orchestrator: orchestratorRegion },
      outcome: null,
      rtoSeconds: null,
      userFacingRtoSeconds: null,
      rpoSeconds: null,
      summary: facts.summary,
      summaryTruncated: false,
      failure: facts.failure ?? null,
      approval: facts.approval ?? null,
    },
  };
}

/**
 * The detail of the outcome event, from the report: RTO, RPO and the summary as the report has
 * them. `planName` and `executionArn` come from the deployment and the state machine when the
 * report could not read them from the request (an input that was never understood).
 */
export function outcomeDetail(
  report: FailoverReport,
  context: {
    planName: string;
    executionArn: string | null;
    dryRun: boolean;
    orchestratorRegion: string;
    at: Date;
  },
): { detailType: DetailType; detail: FailoverEventDetail } {
  const exec = execution(report.executionName, context.executionArn);
  const mode =
    report.mode === 'automatic' || report.mode === 'manual' || report.mode === 'planned' ? report.mode : null;
  return {
    detailType: OUTCOME_DETAIL_TYPES[report.outcome],
    detail: {
      schemaVersion: SCHEMA_VERSION,
      eventId: eventIdOf(exec, 'outcome'),
      at: context.at.toISOString(),
      plan: report.planName ?? context.planName,
      execution: exec,
      mode,
      dryRun: context.dryRun,
      regions: {
        from: report.sourceRegion,
        to: report.targetRegion,
        orchestrator: context.orchestratorRegion,
      },
      outcome: report.outcome,
      rtoSeconds: report.rtoSeconds,
      userFacingRtoSeconds: report.userFacingRtoSeconds,
      rpoSeconds: report.rpo.seconds,
      summary: report.summary,
      summaryTruncated: false,
      failure: null,
      approval: null,
    },
  };
}

/** Publishes through `events` when the step has a publisher; undefined when it has none. */
export async function publishVia(
  events: FailoverEvents | undefined,
  built: { detailType: DetailType; detail: FailoverEventDetail },
): Promise<PublishOutcome | undefined> {
  return events?.publish(built.detailType, built.detail);
}

/**
 * The facts a publication leaves on the step's timeline event: nothing when it was published
 * (the common case keeps timelines as they were), the detail-type and the reason when not.
 */
export function publicationFacts(detailType: DetailType, outcome: PublishOutcome | undefined): Facts {
  if (!outcome || outcome.published) return {};
  return { eventNotPublished: detailType, eventError: outcome.reason };
}

/** Adds a failed publication's facts to the last event of a step's timeline (its outcome). */
export function withPublication<T extends { timeline: TimelineEvent[] }>(
  output: T,
  detailType: DetailType,
  outcome: PublishOutcome | undefined,
): T {
  const facts = publicationFacts(detailType, outcome);
  if (Object.keys(facts).length === 0 || output.timeline.length === 0) return output;
  const timeline = [...output.timeline];
  const last = timeline[timeline.length - 1] as TimelineEvent;
  timeline[timeline.length - 1] = { ...last, facts: { ...last.facts, ...facts } };
  return { ...output, timeline };
}

/**
 * Publishes one moment of the execution when the step has a publisher; undefined otherwise. The
 * region the events name as the orchestrator's is the publisher's own.
 */
export async function publishMoment(
  events: FailoverEvents | undefined,
  moment: Moment,
  request: FailoverRequest,
  at: Date,
  facts: MomentFacts,
): Promise<{ detailType: DetailType; outcome: PublishOutcome | undefined }> {
  const built = momentDetail(moment, request, at, events?.region ?? '', facts);
  return { detailType: built.detailType, outcome: await publishVia(events, built) };
}
