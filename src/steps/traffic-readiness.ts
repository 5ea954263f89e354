import { UNREACHABLE_WINDOW_MS } from '../aws/retry.js';
import { controlPlaneInFailedRegion, readPlanRecords } from '../aws/route53-control-plane.js';
import { AwsRequestError, AwsTransientError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import {
  controlsToRead,
  describeControls,
  describeRecords,
  describeRefusal,
  hasDataPlanePath,
  inOneCall,
  planControlCalls,
  recordsWithoutDataPlanePath,
  refusingRule,
  wantedControls,
  whatTheOperatorMayDo,
} from '../traffic-modes/decision.js';
import { describeTried, readControlStates } from '../traffic-modes/routing-control.js';
import type { CheckReadinessOutput } from './contracts.js';
import type { FailoverRequest } from './request.js';
import { clusterContext } from './routing-controls.js';

type Check = CheckReadinessOutput['checks'][number];

/**
 * What check-readiness asks of the traffic path before anything moves: can each record be moved
 * the way the plan says, now? "A planned move must not start what it cannot finish", and no move
 * should move the writer when a safety rule will refuse the traffic that must follow it.
 */

/** How long a planned move waits for Route 53's control plane before calling it silent. */
export const CONTROL_PLANE_PROBE_MS = UNREACHABLE_WINDOW_MS;

/**
 * route53-records: every record is in Route 53 (read through the control plane). When that read
 * gets no answer:
 * - every record moves on the data plane and the failed region is us-east-1: the read is not
 *   even tried in an unplanned move (nothing of the move needs the control plane, and the read
 *   would cost its silence window in RTO);
 * - a planned move with record-upsert records: refused as `route53-control-plane`, naming them;
 * - an unplanned move out of us-east-1 with record-upsert records: refused as
 *   `route53-control-plane` too: the writer must not move when traffic cannot follow it
 *   (docs/design-notes.md); with every record on the data plane the read is not tried (above);
 * - otherwise the error goes up (transient: the state machine retries readiness).
 */
export async function recordsCheck(request: FailoverRequest, deps: StepDeps): Promise<Check> {
  const { plan, clients } = deps;
  const name = 'route53-records';
  const unplannedOutOfControlPlane =
    request.mode !== 'planned' && controlPlaneInFailedRegion(request.sourceRegion);
  if (unplannedOutOfControlPlane && plan.dns.records.every(hasDataPlanePath)) {
    return {
      name,
      ok: true,
      detail: `not read: every record moves on the data plane (${describeRecords(plan.dns.records)}), and Route 53's control plane is in the failed region`,
    };
  }
  let all: Awaited<ReturnType<typeof readPlanRecords>>;
  try {
    all = await readPlanRecords(plan, clients.route53(), request.sourceRegion, {
      targetRegion: request.targetRegion,
      mode: request.mode,
      ...(request.mode === 'planned' ? { deadline: Date.now() + CONTROL_PLANE_PROBE_MS } : {}),
    });
  } catch (error) {
    const upsert = recordsWithoutDataPlanePath(plan);
    if (request.mode === 'planned' && error instanceof AwsTransientError && upsert.length > 0) {
      return {
        name: 'route53-control-plane',
        ok: false,
        detail: `Route 53's control plane (us-east-1) did not answer within ${CONTROL_PLANE_PROBE_MS / 1000} s, and ${describeRecords(upsert)} can only move through it: a planned move must not start what it cannot finish. Start again once it answers (AWS Health Dashboard, Route 53), or give those records a data-plane shift mode (routing-control, health-check)`,
      };
    }
    if (!unplannedOutOfControlPlane) throw error;
    if (upsert.length > 0) {
      // Moving the writer when traffic cannot follow leaves the source's users on a region with
      // no writer, and when that region recovers it serves them without one: worse than waiting.
      return {
        name: 'route53-control-plane',
        ok: false,
        detail: `Route 53's control plane (us-east-1, the failed region) does not answer (${(error as Error).message.split('. ')[0]}), and ${describeRecords(upsert)} can only move through it: the writer is not moved when traffic cannot follow it. Move traffic by hand if you can (runbooks/automated-failover.md, "When us-east-1 is the failed region"), then start a manual failover; give those records a data-plane shift mode (routing-control, health-check) so this never waits on us-east-1`,
      };
    }
    return { name, ok: true, detail: `not verifiable: ${(error as Error).message}` };
  }
  const missing: string[] = [];
  plan.dns.records.forEach((record, i) => {
    const sets = all[i] ?? [];
    const wanted = record.routing !== 'simple' ? record.setIdentifier?.[request.targetRegion] : undefined;
    if (sets.length === 0 || (wanted && !sets.some((s) => s.setIdentifier === wanted)))
      missing.push(record.name);
  });
  return missing.length > 0
    ? { name, ok: false, detail: `records not found: ${missing.join(', ')}` }
    : { name, ok: true, detail: `${plan.dns.records.length} record(s) found` };
}

/**
 * routing-controls: a cluster endpoint answers, every control the shift and the plan's safety
 * rules name exists, and the plan's copy of the rules lets the shift through (the rules a
 * human's manual start overrides excepted). Reads only: GetRoutingControlState.
 */
export async function routingControlsCheck(request: FailoverRequest, deps: StepDeps): Promise<Check | null> {
  const name = 'routing-controls';
  const wanted = wantedControls(deps.plan, request.sourceRegion, request.targetRegion);
  const context = clusterContext(deps, request, 'check-readiness');
  if (wanted.length === 0 || !context) return null;
  let read: Awaited<ReturnType<typeof readControlStates>>;
  try {
    read = await readControlStates(context, controlsToRead(deps.plan));
  } catch (error) {
    if (error instanceof AwsRequestError || error instanceof AwsTransientError) {
      return {
        name,
        ok: false,
        detail: `the Route 53 ARC cluster cannot be read, so traffic could not follow the writer: ${error.message}`,
      };
    }
    throw error;
  }
  const calls = planControlCalls(wanted, read.value, inOneCall(deps.plan));
  const overrides = new Set(request.safetyRulesToOverride ?? []);
  const verdict = refusingRule(deps.plan.dns.routingControl?.safetyRules ?? [], read.value, calls, overrides);
  const where = `read on ${read.endpoint.region}${read.tried.length > 1 ? ` after ${describeTried(read.tried.slice(0, -1))}` : ''}`;
  if (verdict) {
    return {
      name,
      ok: false,
      detail: `${describeRefusal(verdict)}, so traffic could not follow the writer. ${whatTheOperatorMayDo(verdict.rule.arn)}`,
    };
  }
  const now = wanted.map((w) => ({ ...w, state: read.value.get(w.arn) ?? 'unknown' }));
  const overridden = overrides.size > 0 ? `; overriding ${[...overrides].join(', ')} (manual start)` : '';
  return {
    name,
    ok: true,
    detail: `${describeControls(now)} (${where}); the shift sets ${calls.length === 0 ? 'nothing' : calls.map(describeControls).join(', then ')}${overridden}`,
  };
}

/**
 * health-check records in a planned move: the source stays healthy, so its health checks never
 * move them, and traffic would never follow the writer. Refused before anything moves.
 */
export function healthCheckedPlannedCheck(request: FailoverRequest, deps: StepDeps): Check | null {
  if (request.mode !== 'planned') return null;
  const moved = deps.plan.dns.records.filter((r) => r.shift.mode === 'health-check');
  if (moved.length === 0) return null;
  return {
    name: 'traffic-path',
    ok: false,
    detail: `${describeRecords(moved)} move only by their health checks, and a planned move leaves ${request.sourceRegion} healthy: nothing would move them after the switchover. Give them shift mode routing-control or record-upsert, or move them by hand`,
  };
}
