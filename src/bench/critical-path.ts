import type { ApiCallRecord } from '../sim/types.js';
import {
  dnsPointsAt,
  firstAt,
  type Observation,
  type PlanView,
  refusesWrites,
  targetIsWriter,
  targetServing,
} from './observations.js';

/**
 * The floor of a failover's RTO: the simulated durations that actually occurred in the drill,
 * laid end to end in the only order the work allows. Whatever the orchestrator adds on top
 * (lock, readiness, fencing, polling intervals, waiting for the slower branch's next poll,
 * retries) is the distance between RTO and floor.
 *
 *   floor = detection + max(promotion, scale-up) + traffic shift + verification
 *
 * Every term starts when a request took effect in the simulator (a call's `at + durationMs`:
 * the simulator applies a request at the end of its latency) and ends at the first observation
 * of the cloud (snapshot) where the outcome holds. Observations are taken at every change and at
 * least every `pollMs` of virtual time, so an end time is late by at most that much.
 */

/** One Lambda invocation (src/drill/bindings.ts TaskRecord, the fields used here). */
export interface Invocation {
  stateName: string;
  startedAt: number;
  endedAt: number;
  outcome: { kind: 'succeeded' | 'failed' };
}

export interface DrillTrace {
  plan: PlanView;
  source: string;
  target: string;
  /** First evidence of the failure: the alarm's state-change time in the input (or the start). */
  detectedAt: number;
  /** When the execution started. */
  startedAt: number;
  calls: readonly ApiCallRecord[];
  observations: readonly Observation[];
  invocations: readonly Invocation[];
}

/** A term of the floor: when it started and ended (epoch ms), or null when it did not happen. */
export interface Span {
  from: number;
  to: number;
  ms: number;
}

export interface Floor {
  /** Alarm state change -> execution start, plus the failure check's own time. */
  detection: { alarmToStartMs: number; failureCheckMs: number; ms: number };
  /** Promotion request accepted -> the target is the only writer. */
  promotion: Span | null;
  /** The target's first scale request (UpdateService, RegisterScalableTarget) accepted -> every service runs its activeCount there. */
  scaleUp: Span | null;
  /** The traffic request accepted -> every record's authoritative answers send clients to the target only. */
  trafficShift: Span | null;
  /** The successful verify-target invocation. */
  verification: Span | null;
  /** The sum; null when a term is missing (the failover did not complete). */
  ms: number | null;
}

/** Commands that move traffic; the first accepted one after the take-over starts the shift. */
export const TRAFFIC_COMMANDS = [
  'UpdateRoutingControlStates',
  'UpdateRoutingControlState',
  'ChangeResourceRecordSets',
];

const accepted = (call: ApiCallRecord) => call.at + call.durationMs;

/** The first call of `commands` that succeeded at or after `from` (in `region` when given). */
export function firstAccepted(
  calls: readonly ApiCallRecord[],
  commands: readonly string[],
  options: { from?: number; region?: string } = {},
): ApiCallRecord | undefined {
  return calls
    .filter(
      (c) =>
        c.outcome === 'ok' &&
        commands.includes(c.command) &&
        accepted(c) >= (options.from ?? Number.NEGATIVE_INFINITY) &&
        (options.region === undefined || c.region === options.region),
    )
    .sort((a, b) => accepted(a) - accepted(b))[0];
}

function span(from: number | undefined, to: number | null): Span | null {
  if (from === undefined || to === null) return null;
  return { from, to, ms: to - from };
}

const sumOf = (invocations: readonly Invocation[]) =>
  invocations.reduce((sum, i) => sum + (i.endedAt - i.startedAt), 0);

/** The promotion (FailoverGlobalCluster or SwitchoverGlobalCluster) as it happened. */
export function promotionSpan(trace: DrillTrace, command: string): Span | null {
  const request = firstAccepted(trace.calls, [command], { from: trace.startedAt });
  if (!request) return null;
  const from = accepted(request);
  return span(
    from,
    firstAt(trace.observations, from, (o) => targetIsWriter(o, trace.target)),
  );
}

/**
 * What starts a scale-up in the target: UpdateService for a service without a scaler, and
 * RegisterScalableTarget (minimum raised to activeCount) for one Application Auto Scaling
 * manages: scale-target sends no UpdateService for those (src/steps/scale-target.ts).
 */
export const SCALE_COMMANDS = ['UpdateService', 'RegisterScalableTarget'];

/** The scale-up of the target's services, from the first scale request accepted in the target region. */
export function scaleUpSpan(trace: DrillTrace): Span | null {
  const request = firstAccepted(trace.calls, SCALE_COMMANDS, {
    from: trace.startedAt,
    region: trace.target,
  });
  if (!request) return null;
  const from = accepted(request);
  return span(
    from,
    firstAt(trace.observations, from, (o) => targetServing(o, trace.plan, trace.target)),
  );
}

/**
 * The traffic shift, from its request (routing controls or record change) to the name servers
 * answering with the target only. `after`: ignore requests before it (e.g. a planned drain's).
 * With health-check records no request is made: the shift then starts when ShiftTraffic starts.
 */
export function trafficShiftSpan(trace: DrillTrace, after: number): Span | null {
  const request = firstAccepted(trace.calls, TRAFFIC_COMMANDS, { from: after });
  const shiftStart = trace.invocations.find((i) => i.stateName === 'ShiftTraffic' && i.startedAt >= after);
  const from = request ? accepted(request) : shiftStart?.startedAt;
  if (from === undefined) return null;
  return span(
    from,
    firstAt(trace.observations, from, (o) => dnsPointsAt(o, trace.plan, trace.target)),
  );
}

/** The last successful VerifyTarget invocation (a warm-up retry before it is orchestration overhead). */
export function verificationSpan(trace: DrillTrace): Span | null {
  const ok = trace.invocations
    .filter((i) => i.stateName === 'VerifyTarget' && i.outcome.kind === 'succeeded')
    .at(-1);
  return ok ? { from: ok.startedAt, to: ok.endedAt, ms: ok.endedAt - ok.startedAt } : null;
}

/** The floor of an unplanned failover (promotion by FailoverGlobalCluster). */
export function computeFloor(trace: DrillTrace, promotionCommand = 'FailoverGlobalCluster'): Floor {
  const alarmToStartMs = Math.max(0, trace.startedAt - trace.detectedAt);
  const failureCheckMs = sumOf(trace.invocations.filter((i) => i.stateName === 'VerifyFailure'));
  const detection = { alarmToStartMs, failureCheckMs, ms: alarmToStartMs + failureCheckMs };
  const promotion = promotionSpan(trace, promotionCommand);
  const scaleUp = scaleUpSpan(trace);
  // The shift cannot start before both branches are done; a traffic call before that (none in
  // today's workflow) would not be the shift.
  const after = promotion && scaleUp ? Math.max(promotion.to, scaleUp.to) : trace.startedAt;
  const trafficShift = trafficShiftSpan(trace, after);
  const verification = verificationSpan(trace);
  const ms =
    promotion && scaleUp && trafficShift && verification
      ? detection.ms + Math.max(promotion.ms, scaleUp.ms) + trafficShift.ms + verification.ms
      : null;
  return { detection, promotion, scaleUp, trafficShift, verification, ms };
}

/**
 * A planned switchover as the old region's clients see it: writes are refused from the moment
 * the old writer stops accepting them until the name servers send clients to the target.
 */
export interface PlannedWindow {
  /** Old writer refuses writes -> authoritative answers point at the target. */
  window: Span | null;
  /** SwitchoverGlobalCluster accepted -> the target is the only writer. */
  switchover: Span | null;
  trafficShift: Span | null;
  /**
   * The plan's own hooks the traffic had to wait for, between the new writer and the shift (the
   * example plan warms its cache after promotion): the plan's work, not the orchestrator's.
   */
  hooksMs: number;
  /** (window - hooks waited for) / (switchover + traffic shift); null when a part is missing. */
  ratio: number | null;
}

export function plannedWindow(trace: DrillTrace): PlannedWindow {
  const switchover = promotionSpan(trace, 'SwitchoverGlobalCluster');
  const refusedFrom = switchover
    ? firstAt(trace.observations, switchover.from, (o) => refusesWrites(o, trace.source))
    : null;
  const trafficShift = trafficShiftSpan(trace, switchover?.from ?? trace.startedAt);
  const dnsAt = trafficShift?.to ?? null;
  const window = refusedFrom === null ? null : span(refusedFrom, dnsAt);
  // Only the part of a hook the traffic waited for: a hook beside the take-over's compute
  // branch (the database branch's afterPromotion) delays nothing while the scale-up still runs.
  const computeEnd = Math.max(
    0,
    ...trace.invocations
      .filter((i) => i.stateName === 'ScaleTarget' || i.stateName === 'CheckScale')
      .map((i) => i.endedAt),
  );
  const hooksMs =
    switchover && trafficShift
      ? trace.invocations
          .filter(
            (i) =>
              i.stateName.startsWith('Hook') &&
              i.startedAt >= switchover.to &&
              i.endedAt <= trafficShift.from,
          )
          .reduce((sum, i) => sum + Math.max(0, i.endedAt - Math.max(i.startedAt, computeEnd)), 0)
      : 0;
  // The hooks' time comes off the window, not onto both sides: added to both, a long hook would
  // pull the ratio towards 1 and hide the orchestrator's own overhead.
  const ratio =
    window && switchover && trafficShift ? (window.ms - hooksMs) / (switchover.ms + trafficShift.ms) : null;
  return { window, switchover, trafficShift, hooksMs, ratio };
}
