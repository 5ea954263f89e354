import { readSignal } from '../aws/cloudwatch.js';
import { decideSustained, type SustainedDecisionKind } from '../decisions/sustained.js';
import type { StepDeps } from '../handlers/define-step.js';
import { event, type Phase, type TimelineEvent } from '../timeline/types.js';
import type { VerifyFailureInput, VerifyFailureOutput } from './contracts.js';

const STEP = 'verify-failure';

const PHASE: Record<SustainedDecisionKind, Phase> = {
  failover: 'succeeded',
  recheck: 'progress',
  'no-action': 'no-action',
};

/**
 * Confirms an alarm describes a sustained failure of the source region before anything is
 * touched. The state machine calls it again after `recheckAfterSeconds` while the decision is
 * `recheck`, passing the previous output, so the last call's timeline holds every look.
 */
export async function verifyFailure(input: VerifyFailureInput, deps: StepDeps): Promise<VerifyFailureOutput> {
  const { request, attempt } = input;
  const { plan } = deps;
  const now = deps.now();
  const timeline: TimelineEvent[] = [...(input.previous?.timeline ?? [])];
  const common = { attempt: attempt + 1, recheckAfterSeconds: plan.sustained.recheckIntervalSeconds };

  if (request.mode !== 'automatic') {
    timeline.push(
      event(
        now,
        STEP,
        'skipped',
        `${request.mode} request by ${request.requestedBy}: an operator decided, no sustained-failure check`,
        { mode: request.mode, requestedBy: request.requestedBy },
      ),
    );
    return { decision: 'failover', ...common, signals: [], timeline };
  }

  const { failingDatapoints, ofLastDatapoints, minFailingSignals, maxRechecks } = plan.sustained;
  const signals = plan.signals.filter((s) => s.watches === request.sourceRegion);
  if (attempt === 0) {
    timeline.push(
      event(
        now,
        STEP,
        'started',
        `checking ${signals.length} signal(s) watching ${request.sourceRegion}: failover when ${minFailingSignals} show ${failingDatapoints} of the last ${ofLastDatapoints} periods failing`,
        { signals: signals.length, failingDatapoints, ofLastDatapoints, minFailingSignals, maxRechecks },
      ),
    );
  }

  const readings = await Promise.all(
    signals.map((signal) =>
      readSignal(deps.clients, signal, {
        now,
        datapoints: ofLastDatapoints,
        sourceRegion: request.sourceRegion,
        failedRegionCallMs: plan.timeouts.failedRegionCallMs,
      }),
    ),
  );
  const result = decideSustained({
    rule: plan.sustained,
    sourceRegion: request.sourceRegion,
    readings,
    attempt,
    now,
  });

  const message =
    result.decision === 'recheck'
      ? `${result.reason}; looking again in ${plan.sustained.recheckIntervalSeconds} s`
      : result.reason;
  timeline.push(
    event(deps.now(), STEP, PHASE[result.decision], message, {
      decision: result.decision,
      check: attempt + 1,
      failingSignals: result.failing.length,
      minFailingSignals,
      pendingSignals: result.pending.length,
      unreadableSignals: result.verdicts.filter((v) => !v.readable).length,
      failing: result.failing.join(', ') || null,
    }),
  );
  return { decision: result.decision, ...common, signals: result.verdicts, timeline };
}
