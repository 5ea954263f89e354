import * as z from 'zod';
import { OUTCOMES, type Outcome } from '../report/types.js';

/**
 * The events every execution publishes on the default bus of the orchestrator's region, for
 * rules that route them (Slack through SNS and AWS Chatbot, a pager, a ticket). docs/events.md is
 * the reader's copy of this file: keep them together.
 *
 * `source` is the product's own: EventBridge reserves sources that start with "aws." for AWS
 * services (EventBridge User Guide, "Amazon EventBridge events": source).
 */
export const EVENT_SOURCE = 'failover.orchestrator';

/** Detail-type of each execution outcome (src/report/types.ts OUTCOMES), one per outcome. */
export const OUTCOME_DETAIL_TYPES = {
  succeeded: 'Failover Succeeded',
  partial: 'Failover Partial',
  'no-action': 'Failover No Action',
  failed: 'Failover Failed',
  'dry-run': 'Failover Dry Run',
  'not-approved': 'Failover Not Approved',
  suppressed: 'Failover Suppressed',
} as const satisfies Record<Outcome, string>;

/** Detail-types of the moments an execution passes through, before its outcome. */
export const MOMENT_DETAIL_TYPES = {
  started: 'Failover Started',
  'approval-requested': 'Failover Approval Requested',
  'step-failed': 'Failover Step Failed',
} as const;
export type Moment = keyof typeof MOMENT_DETAIL_TYPES;

export const DETAIL_TYPES = [
  ...Object.values(MOMENT_DETAIL_TYPES),
  ...Object.values(OUTCOME_DETAIL_TYPES),
] as const;
export type DetailType = (typeof DETAIL_TYPES)[number];

/** Bumped on any change a consumer could notice (a field removed, renamed or retyped). */
export const SCHEMA_VERSION = 1;

/**
 * EventBridge refuses an entry of 256 KB or more (PutEvents, EventBridge API Reference: "The
 * maximum size for a PutEvents event entry is 256 KB"; the User Guide's "Calculating PutEvents
 * event entry size" says "must be less than 256KB").
 */
export const MAX_ENTRY_BYTES = 256 * 1024;

/** Long free text kept short enough for a chat message; the report itself has the rest. */
const MAX_CAUSE_CHARS = 2000;

const seconds = z.number().nonnegative().nullable();

export const failoverEventDetailSchema = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  /**
   * Stable per execution and moment: `<execution ARN or name>/<moment>`. EventBridge does not
   * deduplicate, and a retried step publishes again with the same eventId: consumers that must
   * act once dedupe on it.
   */
  eventId: z.string().min(1),
  /** When the step published it (ISO-8601). */
  at: z.iso.datetime(),
  plan: z.string().min(1),
  execution: z.object({
    name: z.string().min(1),
    /** The Step Functions execution ARN; null only when the state machine did not pass it. */
    arn: z.string().startsWith('arn:').nullable(),
    /** The execution in the Step Functions console of its region; null when the ARN is unknown. */
    consoleUrl: z.url().nullable(),
  }),
  /** Null when the execution stopped before its input was understood. */
  mode: z.enum(['automatic', 'manual', 'planned']).nullable(),
  dryRun: z.boolean(),
  regions: z.object({
    from: z.string().nullable(),
    to: z.string().nullable(),
    /** Where this orchestrator runs (and publishes): the region it moves the service to. */
    orchestrator: z.string().min(1),
  }),
  /** Set on outcome events only. */
  outcome: z.enum(OUTCOMES).nullable(),
  rtoSeconds: seconds,
  userFacingRtoSeconds: seconds,
  rpoSeconds: seconds,
  /** One line a human reads first: the report's summary for an outcome. */
  summary: z.string(),
  /** The summary was cut to keep the entry under EventBridge's size limit. */
  summaryTruncated: z.boolean(),
  /** Failover Step Failed: which step, with what error. Null otherwise. */
  failure: z.object({ step: z.string(), error: z.string(), cause: z.string() }).nullable(),
  /** Failover Approval Requested: the policy and the deadline. Null otherwise. */
  approval: z
    .object({ policy: z.enum(['wait', 'wait-then-proceed']), deadline: z.iso.datetime() })
    .nullable(),
});
export type FailoverEventDetail = z.infer<typeof failoverEventDetailSchema>;

/** One PutEvents entry, in the SDK's shape (without EventBusName: the default bus). */
export interface EventEntry {
  Source: typeof EVENT_SOURCE;
  DetailType: DetailType;
  Detail: string;
  Resources: string[];
}

/**
 * The entry's size as EventBridge counts it (User Guide, "Calculating PutEvents event entry
 * size"): the UTF-8 bytes of Source, DetailType, Detail and each Resources entry, plus 14 bytes
 * for Time when given (never here: EventBridge then stamps the time it received it).
 */
export function entryBytes(
  entry: Omit<EventEntry, 'Source' | 'DetailType'> & { Source: string; DetailType: string },
): number {
  const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
  return (
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    entry.Resources.reduce((sum, r) => sum + bytes(r), 0)
  );
}

/**
 * Validates the detail (a bug here must not publish a malformed event: the error names the
 * field) and builds the entry, cutting the summary when the entry would reach the size limit.
 * The execution ARN goes in Resources so rules can match on it.
 */
export function toEntry(detailType: DetailType, detail: FailoverEventDetail): EventEntry {
  const parsed = failoverEventDetailSchema.safeParse(detail);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(detail)'}: ${i.message}`);
    throw new EventDetailInvalidError(`event "${detailType}" detail is invalid: ${issues.join('; ')}`);
  }
  const valid = { ...parsed.data, failure: capCause(parsed.data.failure) };
  const entry = (d: FailoverEventDetail): EventEntry => ({
    Source: EVENT_SOURCE,
    DetailType: detailType,
    Detail: JSON.stringify(d),
    Resources: d.execution.arn ? [d.execution.arn] : [],
  });
  const whole = entry(valid);
  if (entryBytes(whole) < MAX_ENTRY_BYTES) return whole;
  // The longest summary prefix that fits, found by halving: JSON escaping makes a character cost
  // 1 to 6 bytes of Detail, so bytes over the limit do not say how many characters to cut.
  const chars = Array.from(valid.summary);
  const withPrefix = (n: number) =>
    entry({ ...valid, summary: `${chars.slice(0, n).join('')}...`, summaryTruncated: true });
  let fits = 0;
  let tooLong = chars.length;
  while (tooLong - fits > 1) {
    const mid = Math.floor((fits + tooLong) / 2);
    if (entryBytes(withPrefix(mid)) < MAX_ENTRY_BYTES) fits = mid;
    else tooLong = mid;
  }
  return withPrefix(fits);
}

function capCause(failure: FailoverEventDetail['failure']): FailoverEventDetail['failure'] {
  if (!failure || failure.cause.length <= MAX_CAUSE_CHARS) return failure;
  return { ...failure, cause: `${failure.cause.slice(0, MAX_CAUSE_CHARS - 3)}...` };
}

/** A detail the code built does not match its own schema: a bug, never published. */
export class EventDetailInvalidError extends Error {
  override readonly name = 'EventDetailInvalidError';
}

/**
 * The execution's page in the Step Functions console of its own region (the region is the ARN's
 * fourth field); null for an ARN that is not a Step Functions execution's.
 */
export function consoleUrlOf(executionArn: string | null): string | null {
  const match = executionArn
    ? /^arn:(aws[a-z-]*):states:([a-z0-9-]+):\d{12}:execution:/.exec(executionArn)
    : null;
  if (!match || !executionArn) return null;
  const [, partition, region] = match;
  const host =
    partition === 'aws-cn'
      ? `${region}.console.amazonaws.cn`
      : partition === 'aws-us-gov'
        ? `${region}.console.amazonaws-us-gov.com`
        : `${region}.console.aws.amazon.com`;
  return `https://${host}/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

/** `<execution ARN or name>/<moment>`: the same for every retry of the step that publishes it. */
export function eventIdOf(
  execution: { name: string; arn: string | null },
  moment: Moment | 'outcome',
  suffix?: string,
): string {
  return [execution.arn ?? execution.name, moment, ...(suffix ? [suffix] : [])].join('/');
}
