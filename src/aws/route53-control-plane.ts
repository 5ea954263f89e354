import type { Route53Client } from '@aws-sdk/client-route-53';
import { decideShift, type RecordSetState } from '../decisions/traffic.js';
import { AwsTransientError, ControlPlaneUnavailableError } from '../errors.js';
import type { DnsRecordPlan, FailoverPlan } from '../plan/schema.js';
import { boundedCall, withinDeadline } from './bounded.js';
import { ROUTE53_CONTROL_PLANE_REGION } from './clients.js';
import { retryTransient, STEP_RETRY_BUDGET_MS, UNREACHABLE_WINDOW_MS } from './retry.js';
import { readRecord } from './route53.js';
import { translateAwsError } from './translate.js';

/** True when the region being failed out of hosts Route 53's control plane. */
export function controlPlaneInFailedRegion(sourceRegion: string): boolean {
  return sourceRegion === ROUTE53_CONTROL_PLANE_REGION;
}

/** Who is calling Route 53's control plane, and for what move. */
export interface ControlPlaneContext {
  plan: Pick<FailoverPlan, 'dns' | 'timeouts'>;
  route53: Route53Client;
  sourceRegion: string;
  /** Where traffic is going: lets the read-back after a silence say whether DNS changed. */
  targetRegion?: string;
  /**
   * planned: both regions are healthy by readiness, so a silence is a transient error, never an
   * outage. Absent: treated as unplanned.
   */
  mode?: 'automatic' | 'manual' | 'planned';
  /** Epoch ms by which the step gives up, shared by its control-plane calls; default now + 40 s. */
  deadline?: number;
}

const RUNBOOK =
  'Move traffic with Route 53 ARC routing controls or health-checked records: runbooks/automated-failover.md, "When us-east-1 is the failed region".';

/**
 * Runs Route 53 control-plane work (ListResourceRecordSets, ChangeResourceRecordSets, GetChange);
 * `work` must pass its abortSignal to every request. Every path is bounded by the step's
 * deadline and aborts what is in flight there, so no change lands after the step gave up.
 *
 * - Planned move, or us-east-1 is not the failed region: one run with the SDK's own retries; no
 *   answer by the deadline is AwsTransientError (the state machine retries the step, which
 *   reads first).
 * - us-east-1 is the failed region: attempts bounded by failedRegionCallMs, retried with backoff.
 *   Only silence across UNREACHABLE_WINDOW_MS (every attempt unanswered) is evidence enough for
 *   ControlPlaneUnavailableError; an answer, even an error, means the control plane is up and a
 *   transient error is AwsTransientError. Before giving up, the records are read back once, so
 *   the message says what DNS shows, or that nobody knows.
 */
export async function viaControlPlane<T>(
  context: ControlPlaneContext,
  work: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const { plan } = context;
  const deadline = context.deadline ?? Date.now() + STEP_RETRY_BUDGET_MS;
  const left = () => Math.max(0, deadline - Date.now());
  const region = ROUTE53_CONTROL_PLANE_REGION;

  if (context.mode === 'planned' || !controlPlaneInFailedRegion(context.sourceRegion)) {
    const bound = left();
    const result = await withinDeadline(work, bound);
    if (result !== 'silence') return result.value;
    throw new AwsTransientError(
      `Route 53 control plane (${region}) did not answer within ${bound} ms; the request was aborted. Retried by the state machine, which reads the records first.`,
    );
  }

  const attemptMs = plan.timeouts.failedRegionCallMs;
  // Keep one attempt's time for the read-back.
  const outcome = await retryTransient(work, {
    attemptMs,
    silenceWindowMs: UNREACHABLE_WINDOW_MS,
    deadlineMs: left() - attemptMs,
  });
  if (outcome.ok) return outcome.value;
  const tried = `${outcome.attempts} attempt(s) of up to ${attemptMs} ms over ${Math.round(outcome.elapsedMs / 1000)} s`;
  if (!outcome.unreachable) {
    const error = translateAwsError(outcome.lastError, `Route 53 control plane (${region})`);
    throw new AwsTransientError(`${error.message}; answered, so not an outage (${tried})`, {
      cause: outcome.lastError,
    });
  }
  if (outcome.elapsedMs < UNREACHABLE_WINDOW_MS) {
    // The step's time ran out before the window did: not yet evidence of an outage.
    throw new AwsTransientError(
      `Route 53 control plane (${region}) did not answer ${tried}, short of the ${UNREACHABLE_WINDOW_MS / 1000} s it takes to call it unavailable; retried by the state machine, which reads the records first.`,
    );
  }
  const readBack = await readBackRecords(context, Math.min(attemptMs, left()));
  throw new ControlPlaneUnavailableError(
    `Route 53 control plane (${region}) did not answer ${tried}. ${readBack} ${RUNBOOK}`,
  );
}

/** The current record sets of every record in the plan, in plan order, read through the control plane. */
export function readPlanRecords(
  plan: FailoverPlan,
  route53: Route53Client,
  sourceRegion: string,
  options: Pick<ControlPlaneContext, 'targetRegion' | 'mode' | 'deadline'> = {},
): Promise<RecordSetState[][]> {
  return viaControlPlane({ plan, route53, sourceRegion, ...options }, (abortSignal) =>
    Promise.all(plan.dns.records.map((record) => readRecord(route53, record, { abortSignal }))),
  );
}

/**
 * One bounded read of every plan record after the last silent attempt: what DNS shows, whether
 * it already points at the target, or, when that read does not get through either, how to look.
 */
async function readBackRecords(context: ControlPlaneContext, boundMs: number): Promise<string> {
  const { plan, route53 } = context;
  const read = await boundedCall(
    (abortSignal) =>
      Promise.all(plan.dns.records.map((record) => readRecord(route53, record, { abortSignal }))),
    boundMs,
  );
  if (!read.ok) {
    const commands = plan.dns.records.map(
      (r) =>
        `aws route53 list-resource-record-sets --hosted-zone-id ${r.hostedZoneId} --start-record-name ${r.name} --start-record-type ${r.type}`,
    );
    return `DNS changes may or may not have landed; read back with: ${[...new Set(commands)].join(' ; ')}.`;
  }
  const shown = plan.dns.records.map((record, i) => ({ record, sets: read.value[i] ?? [] }));
  const described = shown.map(({ record, sets }) => `${record.name} ${record.type} ${describeSets(sets)}`);
  const target = context.targetRegion;
  const atTarget = target
    ? shown.map(({ record, sets }) => pointsAt(record, sets, context.sourceRegion, target))
    : [];
  const what = described.join('; ');
  if (!target || atTarget.includes(null)) return `Read back afterwards, DNS shows: ${what}.`;
  if (atTarget.every((at) => !at)) return `Read back afterwards: DNS was not changed (${what}).`;
  return `Read back afterwards, DNS already points at ${target} for ${shown
    .filter((_, i) => atTarget[i])
    .map(({ record }) => record.name)
    .join(', ')} (a change may have landed): ${what}.`;
}

function describeSets(sets: readonly RecordSetState[]): string {
  if (sets.length === 0) return '(no record)';
  return sets
    .map((s) => {
      const value = s.alias?.dnsName ?? s.values.join(',');
      return s.setIdentifier === undefined ? value : `${s.setIdentifier}=${s.weight ?? 0}`;
    })
    .join(' ');
}

/** Whether the record already sends its answers to `target`; null when the plan cannot tell. */
function pointsAt(
  record: DnsRecordPlan,
  sets: readonly RecordSetState[],
  source: string,
  target: string,
): boolean | null {
  try {
    return decideShift(record, sets, source, target).upserts.length === 0;
  } catch {
    return null;
  }
}
