import type { Route53Client } from '@aws-sdk/client-route-53';
import type { RecordSetState } from '../decisions/traffic.js';
import { ControlPlaneUnavailableError } from '../errors.js';
import type { FailoverPlan } from '../plan/schema.js';
import { withinDeadline } from './bounded.js';
import { ROUTE53_CONTROL_PLANE_REGION } from './clients.js';
import { readRecord } from './route53.js';

/** True when the region being failed out of hosts Route 53's control plane. */
export function controlPlaneInFailedRegion(sourceRegion: string): boolean {
  return sourceRegion === ROUTE53_CONTROL_PLANE_REGION;
}

/**
 * Runs Route 53 control-plane work (ListResourceRecordSets, ChangeResourceRecordSets, GetChange).
 * Normally as is; when us-east-1 is the failed region, bounded by `deadlineMs` like every other
 * call into the failed region, and a silence becomes ControlPlaneUnavailableError at once rather
 * than minutes of retries against an endpoint that is down.
 */
export async function viaControlPlane<T>(
  sourceRegion: string,
  deadlineMs: number,
  work: () => Promise<T>,
): Promise<T> {
  if (!controlPlaneInFailedRegion(sourceRegion)) return work();
  // An answer, even an error (a throttle is retried as usual), means the control plane is up.
  const result = await withinDeadline(work, deadlineMs);
  if (result !== 'silence') return result.value;
  throw new ControlPlaneUnavailableError(
    `Route 53 control plane (${ROUTE53_CONTROL_PLANE_REGION}) did not answer within ${deadlineMs} ms; DNS was not changed. Move traffic with Route 53 ARC routing controls or health-checked records: runbooks/automated-failover.md, "When us-east-1 is the failed region".`,
  );
}

/** The current record sets of every record in the plan, in plan order, read through the control plane. */
export function readPlanRecords(
  plan: FailoverPlan,
  route53: Route53Client,
  sourceRegion: string,
): Promise<RecordSetState[][]> {
  return viaControlPlane(sourceRegion, plan.timeouts.failedRegionCallMs, () =>
    Promise.all(plan.dns.records.map((record) => readRecord(route53, record))),
  );
}
