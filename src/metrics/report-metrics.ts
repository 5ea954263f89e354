import type { FailoverReport } from '../report/types.js';

/**
 * The orchestrator's own metrics (namespace METRIC_NAMESPACE): what the report step emits, with
 * which dimensions. The dashboard (serverless.yml FailoverDashboard) and the alarms read exactly
 * these names and dimensions; test/deploy/dashboard.test.ts compares them.
 */
export const METRIC_NAMESPACE = 'FailoverOrchestrator';

export const METRIC_NAMES = {
  executions: 'Executions',
  rto: 'RTOSeconds',
  userFacingRto: 'UserFacingRTOSeconds',
  rpo: 'RPOSeconds',
  stepDuration: 'StepSeconds',
  ready: 'Ready',
} as const;

/** One EMF document: metrics that share one set of dimensions (every one besides Plan). */
export interface MetricDocument {
  dimensions: Readonly<Record<string, string>>;
  metrics: { name: string; unit: 'Count' | 'Seconds'; value: number }[];
}

/**
 * What the report of one execution emits, every document with the Plan dimension added:
 *
 *   Plan, Outcome       Executions (1), RTOSeconds, UserFacingRTOSeconds, RPOSeconds (when known)
 *   Plan, Step          StepSeconds, one document per step the execution ran
 *   Plan, TargetRegion  Ready (1 or 0), dry runs only: the scheduled readiness check's verdict
 *
 * Outcome stays on RTO and RPO (as before EMF) so a dashboard can tell a partial roll-forward's RTO
 * from a complete one. Pure: the emitter (emf.ts) writes them.
 */
export function reportMetrics(report: FailoverReport, dryRunTarget: string | null): MetricDocument[] {
  const outcome: MetricDocument = {
    dimensions: { Outcome: report.outcome },
    metrics: [{ name: METRIC_NAMES.executions, unit: 'Count', value: 1 }],
  };
  const seconds = (name: string, value: number | null) => {
    if (value !== null) outcome.metrics.push({ name, unit: 'Seconds', value });
  };
  seconds(METRIC_NAMES.rto, report.rtoSeconds);
  seconds(METRIC_NAMES.userFacingRto, report.userFacingRtoSeconds);
  seconds(METRIC_NAMES.rpo, report.rpo.seconds);
  const steps = report.steps.map(
    (s): MetricDocument => ({
      dimensions: { Step: s.step },
      metrics: [{ name: METRIC_NAMES.stepDuration, unit: 'Seconds', value: s.seconds }],
    }),
  );
  // The scheduled readiness check's verdict: its alarm pages when the standby drifts (0) or when
  // the check stops reporting at all (missing data breaches).
  const ready: MetricDocument[] =
    dryRunTarget === null
      ? []
      : [
          {
            dimensions: { TargetRegion: dryRunTarget },
            metrics: [
              {
                name: METRIC_NAMES.ready,
                unit: 'Count',
                value: report.outcome === 'dry-run' && report.readiness.ready === true ? 1 : 0,
              },
            ],
          },
        ];
  return [outcome, ...steps, ...ready];
}
