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

  it.each([
    ['caps the estimate at it when the lag read was above it', 30_000, 20, 20],
    ['keeps the lag read when it is below it', 420, 20, 0.42],
    ['gives it as the upper bound when no lag was read', null, 20, 20],
  ])('with rds.global_db_rpo set, %s', (_case, lagMs, bound, seconds) => {
    const state = completedState();
    const promote = state.takeover.promote as Record<string, unknown>;
    promote.rpoLagMsBeforePromotion = lagMs;
    promote.rpoBoundSeconds = bound;
    (state.steps.readiness as Record<string, unknown>).rpoLagMs = null;

    const report = buildReport({
      state,
      outcome: 'succeeded',
      executionName: 'e',
      executionStartedAt: request.detectedAt,
    });

    expect(report.rpo.seconds).toBe(seconds);
    expect(report.rpo.basis).toMatch(/rds\.global_db_rpo/);
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

  describe('readiness', () => {
    it('is ready with no problems after a real run passed readiness', () => {
      const report = buildReport({
        state: completedState(),
        outcome: 'succeeded',
        executionName: 'exec-1',
        executionStartedAt: '2026-11-22T03:00:00.000Z',
      });

      expect(report.readiness).toEqual({ ready: true, problems: [] });
    });

    it('names the problems a real run stopped on, from the failure cause', () => {
      const state = {
        steps: { normalize: { request, timeline: [] }, readiness: { timeline: [] } },
        takeover: null,
        failure: {
          Error: 'TargetNotReadyError',
          Cause: JSON.stringify({
            errorType: 'TargetNotReadyError',
            errorMessage:
              'check-readiness: us-west-2 is not ready; nothing was changed: aurora-target-cluster: orders-usw2 is headless (no DB instance): add an instance before it can be promoted; ecs-target-services: DescribeServices: AccessDenied; not authorized',
          }),
        },
      };

      const report = buildReport({
        state,
        outcome: 'failed',
        executionName: 'e',
        executionStartedAt: '2026-11-22T03:00:00.000Z',
      });

      expect(report.readiness).toEqual({
        ready: false,
        problems: [
          'aurora-target-cluster: orders-usw2 is headless (no DB instance): add an instance before it can be promoted',
          'ecs-target-services: DescribeServices: AccessDenied; not authorized',
        ],
      });
    });

    it('has no verdict when readiness did not run', () => {
      const report = buildReport({
        state: { steps: { normalize: { request, timeline: [] } } },
        outcome: 'no-action',
        executionName: 'e',
        executionStartedAt: '2026-11-22T03:00:00.000Z',
      });

      expect(report.readiness).toEqual({ ready: null, problems: [] });
    });
  });

  describe('a dry run', () => {
    const would = (at: string, step: TimelineEvent['step'], message: string): TimelineEvent => ({
      at: `2026-11-22T${at}.000Z`,
      step,
      phase: 'dry-run',
      message,
      facts: { wouldDo: true },
    });
    const HEADLESS_DETAIL =
      'orders-usw2 is headless (no DB instance): add an instance before it can be promoted';
    const HEADLESS = `aurora-target-cluster: ${HEADLESS_DETAIL}`;

    /** A dry run that went through the whole workflow: the target is headless, nothing was sent. */
    function dryRunState(ready = false) {
      return {
        steps: {
          normalize: {
            request: { ...request, mode: 'manual', dryRun: true },
            timeline: [ev('03:00:00', 'normalize-input', 'succeeded')],
          },
          readiness: {
            ready,
            checks: [
              { name: 'aurora-global-membership', ok: true, detail: 'target is a secondary member' },
              ready
                ? { name: 'aurora-target-cluster', ok: true, detail: 'orders-usw2: 2 instance(s)' }
                : { name: 'aurora-target-cluster', ok: false, detail: HEADLESS_DETAIL },
            ],
            rpoLagMs: 350,
            timeline: [
              { ...ev('03:00:01', 'check-readiness', 'dry-run'), message: 'us-west-2 is NOT ready' },
            ],
          },
          shift: {
            records: [{ name: 'api.orders.example.com.', action: 'changed', changeId: null }],
            startedAt: '2026-11-22T03:00:20.000Z',
            deadline: '2026-11-22T03:05:20.000Z',
            maxTtlSeconds: 60,
            dryRun: true,
            timeline: [
              would(
                '03:00:20',
                'shift-traffic',
                'would UPSERT api.orders.example.com. weights orders-use1=0 orders-usw2=100',
              ),
            ],
          },
          traffic: {
            inSync: true,
            timeline: [
              {
                ...ev('03:00:30', 'shift-traffic', 'dry-run'),
                message: 'dry run: no DNS change was sent; nothing to wait for',
              },
            ],
          },
          verifyTarget: {
            healthy: true,
            verifiedAt: '2026-11-22T03:00:30.000Z',
            checks: [],
            timeline: [{ ...ev('03:00:30', 'verify-target', 'skipped'), message: 'dry run: nothing moved' }],
          },
        },
        takeover: {
          fence: {
            fencing: [
              {
                resource: 'ecs us-east-1/orders-use1/orders-api',
                action: 'scale to 0 and lower autoscaling minimum to 0',
                outcome: 'would-fence',
                detail: '6 desired, autoscaling minimum 6; nothing sent (dry run)',
              },
            ],
            followUps: [],
            timeline: [
              would(
                '03:00:02',
                'fence-old-primary',
                'would lower the autoscaling minimum of orders-api in us-east-1 (orders-use1) 6 -> 0, then scale it 6 -> 0',
              ),
            ],
          },
          promote: {
            action: 'failover',
            startedAt: '2026-11-22T03:00:03.000Z',
            deadline: '2026-11-22T03:10:03.000Z',
            rpoLagMsBeforePromotion: 420,
            dryRun: true,
            timeline: [
              would(
                '03:00:03',
                'promote-database',
                'would send FailoverGlobalCluster(orders-global -> arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2, AllowDataLoss=true) to us-west-2',
              ),
            ],
          },
          promotion: {
            done: true,
            status: 'dry-run',
            writerSince: null,
            timeline: [
              {
                ...ev('03:00:13', 'promote-database', 'dry-run'),
                message: 'dry run: no failover was requested; nothing to wait for',
              },
            ],
          },
          scale: {
            services: [],
            startedAt: '2026-11-22T03:00:01.000Z',
            deadline: '2026-11-22T03:15:01.000Z',
            dryRun: true,
            // The scale branch runs in parallel and records its plan before fencing does.
            timeline: [
              would(
                '03:00:01',
                'scale-target',
                'would scale orders-api 1 -> 6 and raise its autoscaling minimum to 6',
              ),
            ],
          },
        },
        failure: null,
      };
    }

    it('ends as dry-run with no RTO or RPO, readiness problems first, then what a real run would do', () => {
      const report = buildReport({
        state: dryRunState(),
        outcome: 'succeeded',
        executionName: 'dry-1',
        executionStartedAt: '2026-11-22T03:00:00.000Z',
      });

      expect(report).toMatchObject({
        outcome: 'dry-run',
        verifiedAt: null,
        rtoSeconds: null,
        userFacingRtoSeconds: null,
        rpo: { seconds: null, basis: 'dry run: nothing moved' },
        writeUnavailableSeconds: null,
        failure: null,
        readiness: { ready: false, problems: [HEADLESS] },
      });
      expect(report.actions).toEqual([
        `Readiness problem: ${HEADLESS}: fix before the outage`,
        'Would: lower the autoscaling minimum of orders-api in us-east-1 (orders-use1) 6 -> 0, then scale it 6 -> 0',
        'Would: send FailoverGlobalCluster(orders-global -> arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2, AllowDataLoss=true) to us-west-2',
        'Would: scale orders-api 1 -> 6 and raise its autoscaling minimum to 6',
        'Would: UPSERT api.orders.example.com. weights orders-use1=0 orders-usw2=100',
      ]);
      expect(report.fencing.map((f) => f.outcome)).toEqual(['would-fence']);
      expect(report.summary).toBe(
        'Dry run us-east-1 -> us-west-2: nothing was changed; 1 readiness problem(s); 4 action(s) a real run would take. Execution dry-1.',
      );
    });

    it('says every check passed when the target is ready', () => {
      const report = buildReport({
        state: dryRunState(true),
        outcome: 'succeeded',
        executionName: 'dry-1',
        executionStartedAt: '2026-11-22T03:00:00.000Z',
      });

      expect(report.readiness).toEqual({ ready: true, problems: [] });
      expect(report.actions[0]).toBe('Ready: every check passed');
      expect(report.actions.slice(1).every((a) => a.startsWith('Would: '))).toBe(true);
    });

    it('stays failed when a real error stopped it, and still lists what it found', () => {
      const state = {
        ...dryRunState(true),
        failure: {
          Error: 'AwsRequestError',
          Cause: JSON.stringify({
            errorType: 'AwsRequestError',
            errorMessage: 'shift-traffic: ListResourceRecordSets: AccessDenied (not authorized).',
          }),
        },
      };

      const report = buildReport({
        state,
        outcome: 'failed',
        executionName: 'dry-1',
        executionStartedAt: '2026-11-22T03:00:00.000Z',
      });

      expect(report.outcome).toBe('failed');
      expect(report.rtoSeconds).toBeNull();
      expect(report.actions[0]).toBe(
        'Dry run stopped with AwsRequestError: shift-traffic: ListResourceRecordSets: AccessDenied (not authorized). Nothing was changed; a real run in the same conditions would stop here too.',
      );
      expect(report.actions[1]).toBe('Ready: every check passed');
      expect(report.summary).toMatch(
        /^Dry run us-east-1 -> us-west-2 FAILED \(nothing was changed\): AwsRequestError/,
      );
    });
  });
});
