import type { TimelineEvent } from '../../src/timeline/types.js';

/**
 * Execution states as the state machine hands them to the Report task (`state.$: $`):
 * `steps.<name>` for sequential steps, `takeover.<name>` for the parallel branches, `failure`
 * when a step failed. Times are on 2026-11-22; the alarm fired at 02:59:55.
 */

export const executionRequest = {
  planName: 'orders',
  mode: 'automatic',
  sourceRegion: 'us-east-1',
  targetRegion: 'us-west-2',
  reason: 'alarm',
  requestedBy: 'alarm:orders-primary-unhealthy-from-us-west-2',
  detectedAt: '2026-11-22T02:59:55.000Z',
  executionName: 'exec-1',
};

const ev = (at: string, step: TimelineEvent['step'], phase: TimelineEvent['phase']): TimelineEvent => ({
  at: `2026-11-22T${at}.000Z`,
  step,
  phase,
  message: `${step} ${phase}`,
});

/** An unplanned failover that completed: verified at 03:03:25, RPO lag 420 ms, DNS TTL 60 s. */
export function completedState() {
  return {
    steps: {
      normalize: { request: executionRequest, timeline: [ev('03:00:00', 'normalize-input', 'succeeded')] },
      readiness: { ready: true, checks: [], rpoLagMs: 350, timeline: [] },
      shift: {
        records: [],
        startedAt: 'x',
        deadline: 'x',
        maxTtlSeconds: 60,
        timeline: [ev('03:02:00', 'shift-traffic', 'started')],
      },
      verifyTarget: {
        healthy: true,
        verifiedAt: '2026-11-22T03:03:25.000Z',
        checks: [],
        timeline: [ev('03:03:25', 'verify-target', 'succeeded')],
      },
    },
    takeover: {
      fence: {
        fencing: [
          {
            resource: 'ecs us-east-1/orders-use1/orders-api',
            action: 'scale to 0 and lower autoscaling minimum to 0',
            outcome: 'unconfirmed',
            detail: 'us-east-1 did not confirm: timeout: no answer within 3000 ms',
          },
        ],
        followUps: [
          'When us-east-1 answers, run: aws ecs update-service --region us-east-1 --cluster orders-use1 --service orders-api --desired-count 0',
        ],
        timeline: [ev('03:00:10', 'fence-old-primary', 'unconfirmed')],
      },
      promote: {
        action: 'failover',
        startedAt: '2026-11-22T03:00:20.000Z',
        deadline: '2026-11-22T03:10:20.000Z',
        rpoLagMsBeforePromotion: 420,
        timeline: [ev('03:00:20', 'promote-database', 'started')],
      },
      promotion: {
        done: true,
        status: 'complete',
        writerSince: '2026-11-22T03:01:25.000Z',
        timeline: [
          ev('03:00:20', 'promote-database', 'started'),
          ev('03:01:25', 'promote-database', 'succeeded'),
        ],
      },
    },
    failure: null,
  };
}

/** An execution that stopped at readiness: the Catch put the Lambda error in `failure`. */
export function failedAtReadinessState() {
  return {
    steps: {
      normalize: { request: executionRequest, timeline: [ev('03:00:00', 'normalize-input', 'succeeded')] },
      readiness: { timeline: [] },
    },
    takeover: null,
    failure: {
      Error: 'TargetNotReadyError',
      Cause: JSON.stringify({
        errorType: 'TargetNotReadyError',
        errorMessage:
          'us-west-2 is not ready; nothing was changed: aurora-target-cluster: orders-usw2 is headless',
      }),
    },
  };
}
