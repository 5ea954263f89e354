import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.js';
import type { TimelineEvent } from '../../src/timeline/types.js';

const request = {
  planName: 'orders',
  mode: 'automatic',
  sourceRegion: 'us-east-1',
  targetRegion: 'us-west-2',
  reason: 'alarm',
  requestedBy: 'alarm:x',
  detectedAt: '2026-11-22T02:59:55.000Z',
  executionName: 'exec-1',
};
const ev = (at: string, step: TimelineEvent['step'], phase: TimelineEvent['phase']): TimelineEvent => ({
  at: `2026-11-22T${at}.000Z`,
  step,
  phase,
  message: `${step} ${phase}`,
});

/** An execution state as the state machine leaves it after a completed unplanned failover. */
function completedState() {
  return {
    steps: {
      normalize: { request, timeline: [ev('03:00:00', 'normalize-input', 'succeeded')] },
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
            resource: 'ecs us-east-1/orders-api',
            action: 'scale to 0',
            outcome: 'unconfirmed',
            detail: 'no answer within 3000 ms',
          },
        ],
        followUps: [
          'aws ecs update-service --region us-east-1 --cluster orders-use1 --service orders-api --desired-count 0',
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

describe('buildReport', () => {
  it('computes RTO from detection to verification and RPO from the lag seen before promotion', () => {
    const report = buildReport({
      state: completedState(),
      outcome: 'succeeded',
      executionName: 'exec-1',
      executionStartedAt: '2026-11-22T03:00:00.000Z',
    });

    expect(report.rtoSeconds).toBe(210);
    expect(report.userFacingRtoSeconds).toBe(270);
    expect(report.rpo).toEqual({ seconds: 0.42, basis: expect.stringMatching(/^estimate/) });
    expect(report.steps.find((s) => s.step === 'promote-database')).toMatchObject({
      seconds: 65,
      outcome: 'succeeded',
    });
    expect(report.timeline.filter((e) => e.step === 'promote-database')).toHaveLength(2);
    expect(report.actions.join('\n')).toMatch(/Fencing unconfirmed for ecs us-east-1\/orders-api/);
    expect(report.actions.join('\n')).toMatch(/aws ecs update-service/);
  });

  it('reports RPO 0 only for a verified switchover', () => {
    const state = completedState();
    state.steps.normalize.request = { ...request, mode: 'planned' };
    state.takeover.promote.action = 'switchover';

    const report = buildReport({
      state,
      outcome: 'succeeded',
      executionName: 'e',
      executionStartedAt: request.detectedAt,
    });

    expect(report.rpo.seconds).toBe(0);
    expect(report.writeUnavailableSeconds).toBe(65);
  });

  it('still reports when the execution failed before the request was known', () => {
    const state = {
      input: { nonsense: true },
      failure: {
        Error: 'InputInvalidError',
        Cause: '{"errorType":"InputInvalidError","errorMessage":"start input is invalid"}',
      },
    };

    const report = buildReport({
      state,
      outcome: 'failed',
      executionName: 'e',
      executionStartedAt: '2026-11-22T03:00:00.000Z',
    });

    expect(report).toMatchObject({
      outcome: 'failed',
      rtoSeconds: null,
      failure: { error: 'InputInvalidError', cause: 'start input is invalid' },
    });
    expect(report.summary).toMatch(/FAILED: InputInvalidError: start input is invalid/);
  });
});
