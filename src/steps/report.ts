import { PutMetricDataCommand, type StandardUnit } from '@aws-sdk/client-cloudwatch';
import * as z from 'zod';
import { boundedCall } from '../aws/bounded.js';
// Registers CloudWatch's client: this step publishes its metrics with it (src/aws/clients.ts).
import '../aws/cloudwatch.js';
import type { StepDeps } from '../handlers/define-step.js';
import { buildReport } from '../report/build.js';
import { OUTCOMES } from '../report/types.js';
import { logger } from '../timeline/emit.js';
import { event } from '../timeline/types.js';
import { failoverRequestSchema } from './request.js';

export const reportInput = z.object({
  state: z.unknown(),
  outcome: z.enum(OUTCOMES),
  executionName: z.string(),
  executionStartedAt: z.string(),
});

/** Namespace of the orchestrator's own metrics (dashboards and alarms read them). */
export const METRIC_NAMESPACE = 'FailoverOrchestrator';

/**
 * The last step of every path, the failure path included: builds the report from the
 * execution state, logs it as one structured line and publishes RTO/RPO metrics. Publishing
 * is best effort: a report must never fail because CloudWatch did not answer.
 */
export async function report(input: z.infer<typeof reportInput>, deps: StepDeps) {
  const built = buildReport({ ...input, reportedAt: deps.now().toISOString() });
  // Metrics go where this orchestrator runs, next to its own alarms and dashboards.
  const region = process.env.AWS_REGION ?? built.targetRegion ?? deps.plan.regions.standby;
  const dimensions = [
    { Name: 'Plan', Value: deps.plan.name },
    { Name: 'Outcome', Value: built.outcome },
  ];
  const metric = (MetricName: string, Value: number, Unit: StandardUnit) => ({
    MetricName,
    Value,
    Unit,
    Dimensions: dimensions,
    Timestamp: deps.now(),
  });
  const data = [metric('Executions', 1, 'Count')];
  if (built.rtoSeconds !== null) data.push(metric('RTOSeconds', built.rtoSeconds, 'Seconds'));
  if (built.userFacingRtoSeconds !== null)
    data.push(metric('UserFacingRTOSeconds', built.userFacingRtoSeconds, 'Seconds'));
  if (built.rpo.seconds !== null) data.push(metric('RPOSeconds', built.rpo.seconds, 'Seconds'));
  const request = failoverRequestSchema.safeParse(
    (input.state as { steps?: { normalize?: { request?: unknown } } })?.steps?.normalize?.request,
  );
  if (request.success && request.data.dryRun) {
    // The scheduled readiness check's verdict: its alarm pages when the standby drifts (0) or
    // when the check stops reporting at all (missing data breaches).
    const ready = built.outcome === 'dry-run' && built.readiness.ready === true ? 1 : 0;
    data.push({
      MetricName: 'Ready',
      Value: ready,
      Unit: 'Count',
      Dimensions: [
        { Name: 'Plan', Value: deps.plan.name },
        { Name: 'TargetRegion', Value: request.data.targetRegion },
      ],
      Timestamp: deps.now(),
    });
  }

  const published = await boundedCall(
    (abortSignal) =>
      deps.clients
        .forRegion(region)
        .cloudwatch.send(new PutMetricDataCommand({ Namespace: METRIC_NAMESPACE, MetricData: data }), {
          abortSignal,
        }),
    5000,
  );
  logger.info('failover report', { report: { ...built, timeline: undefined } });
  const timeline = [
    ...built.timeline,
    event(deps.now(), 'report', built.outcome === 'failed' ? 'failed' : 'succeeded', built.summary, {
      outcome: built.outcome,
      rtoSeconds: built.rtoSeconds,
      rpoSeconds: built.rpo.seconds,
      metricsPublished: published.ok,
    }),
  ];
  return { report: { ...built, timeline }, timeline: timeline.slice(-1) };
}
