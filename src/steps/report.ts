import * as z from 'zod';
import { outcomeDetail, publishVia } from '../events/build.js';
import type { StepDeps } from '../handlers/define-step.js';
import { emitMetrics } from '../metrics/emf.js';
import { reportMetrics } from '../metrics/report-metrics.js';
import { buildReport } from '../report/build.js';
import { OUTCOMES } from '../report/types.js';
import { logger } from '../timeline/emit.js';
import { event } from '../timeline/types.js';
import { failoverRequestSchema } from './request.js';

export { METRIC_NAMESPACE } from '../metrics/report-metrics.js';

export const reportInput = z.object({
  state: z.unknown(),
  outcome: z.enum(OUTCOMES),
  executionName: z.string(),
  executionStartedAt: z.string(),
});

/**
 * The last step of every path, the failure path included: builds the report from the execution
 * state, logs it as one structured line, emits its metrics (EMF: log lines, no API call) and
 * publishes the outcome event. The event is best effort: a report must never fail because
 * EventBridge did not answer.
 */
export async function report(input: z.infer<typeof reportInput>, deps: StepDeps) {
  const built = buildReport({ ...input, reportedAt: deps.now().toISOString() });
  const state = input.state as {
    steps?: { normalize?: { request?: unknown } };
    execution?: { arn?: unknown };
  } | null;
  const request = failoverRequestSchema.safeParse(state?.steps?.normalize?.request);
  const dryRun = request.success && request.data.dryRun === true;
  emitMetrics(deps.plan.name, reportMetrics(built, dryRun ? request.data.targetRegion : null), deps.now());

  // The ARN from the request, or from the state's execution block when the input was never
  // understood (the Start state puts it there before any step runs).
  const arn = request.success ? request.data.executionArn : state?.execution?.arn;
  const outcomeEvent = outcomeDetail(built, {
    planName: deps.plan.name,
    executionArn: typeof arn === 'string' && arn.startsWith('arn:') ? arn : null,
    dryRun,
    orchestratorRegion: deps.events?.region ?? '',
    at: deps.now(),
  });
  const published = await publishVia(deps.events, outcomeEvent);
  logger.info('failover report', { report: { ...built, timeline: undefined } });
  const timeline = [
    ...built.timeline,
    event(deps.now(), 'report', built.outcome === 'failed' ? 'failed' : 'succeeded', built.summary, {
      outcome: built.outcome,
      rtoSeconds: built.rtoSeconds,
      rpoSeconds: built.rpo.seconds,
      ...(published
        ? published.published
          ? { eventPublished: outcomeEvent.detailType }
          : { eventNotPublished: outcomeEvent.detailType, eventError: published.reason }
        : {}),
    }),
  ];
  return { report: { ...built, timeline }, timeline: timeline.slice(-1) };
}
