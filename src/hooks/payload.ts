import type { HookPoint } from '../plan/hooks.js';
import type { FailoverReport } from '../report/types.js';
import type { FailoverRequest } from '../steps/request.js';
import type { TimelineEvent } from '../timeline/types.js';

/**
 * What a hook function receives (documented in docs/hooks.md; `version` changes when a field
 * does). Kept compact on purpose: Invoke takes up to 6 MB synchronously (1 MB for an
 * asynchronous invocation; Lambda API Reference, Invoke), but the hook's own answer comes back
 * into the step's output, which travels in the execution state, limited to 256 KiB per state
 * (Step Functions quotas, "Maximum input or output size for a task, state, or execution"). A
 * payload capped at 64 KiB leaves a function room to forward it (SNS, EventBridge: 256 KB) too.
 */
export const HOOK_PAYLOAD_VERSION = 1;
export const MAX_HOOK_PAYLOAD_BYTES = 64 * 1024;
/** A timeline message longer than this is cut: the hook needs what happened, not every detail. */
const MAX_MESSAGE_CHARS = 300;

export interface HookPayload {
  version: typeof HOOK_PAYLOAD_VERSION;
  point: HookPoint;
  /**
   * The same for every invocation of this hook in this execution. A hook may run more than once
   * (a retried step; Lambda's own retries): use the key to do its work once.
   */
  idempotencyKey: string;
  execution: { name: string; arn: string | null };
  request: {
    planName: string;
    mode: FailoverRequest['mode'];
    sourceRegion: string;
    targetRegion: string;
    reason: string;
    requestedBy: string;
    detectedAt: string;
    dryRun: boolean;
  };
  /** The timeline so far, oldest first; the oldest events are left out when it is long. */
  timeline: Pick<TimelineEvent, 'at' | 'step' | 'phase' | 'message'>[];
  /** How many of the oldest events were left out to keep the payload under 64 KiB. */
  timelineOmitted: number;
  /** afterReport only: the report's verdict, without its timeline (which is above). */
  report?: Pick<
    FailoverReport,
    'outcome' | 'summary' | 'rtoSeconds' | 'userFacingRtoSeconds' | 'rpo' | 'actions' | 'verifiedAt'
  >;
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

export function buildHookPayload(
  point: HookPoint,
  request: FailoverRequest,
  timeline: readonly TimelineEvent[],
  report?: FailoverReport,
): HookPayload {
  const base: HookPayload = {
    version: HOOK_PAYLOAD_VERSION,
    point,
    idempotencyKey: `${request.executionName}:${point}`,
    execution: { name: request.executionName, arn: request.executionArn ?? null },
    request: {
      planName: request.planName,
      mode: request.mode,
      sourceRegion: request.sourceRegion,
      targetRegion: request.targetRegion,
      reason: request.reason,
      requestedBy: request.requestedBy,
      detectedAt: request.detectedAt,
      dryRun: request.dryRun === true,
    },
    timeline: [],
    timelineOmitted: 0,
    ...(report
      ? {
          report: {
            outcome: report.outcome,
            summary: report.summary,
            rtoSeconds: report.rtoSeconds,
            userFacingRtoSeconds: report.userFacingRtoSeconds,
            rpo: report.rpo,
            actions: report.actions,
            verifiedAt: report.verifiedAt,
          },
        }
      : {}),
  };
  // Newest first until the budget is spent: the latest events are what the hook acts on.
  let budget = MAX_HOOK_PAYLOAD_BYTES - bytes(base);
  const kept: HookPayload['timeline'] = [];
  for (let i = timeline.length - 1; i >= 0; i--) {
    const e = timeline[i] as TimelineEvent;
    const compact = {
      at: e.at,
      step: e.step,
      phase: e.phase,
      message:
        e.message.length > MAX_MESSAGE_CHARS ? `${e.message.slice(0, MAX_MESSAGE_CHARS)}...` : e.message,
    };
    const cost = bytes(compact) + 1;
    if (cost > budget) break;
    budget -= cost;
    kept.push(compact);
  }
  return { ...base, timeline: kept.reverse(), timelineOmitted: timeline.length - kept.length };
}
