import type { z } from 'zod';
import { changeRecords, readRecord } from '../aws/route53.js';
import { viaControlPlane } from '../aws/route53-control-plane.js';
import { decideShift, upsertsByZone } from '../decisions/traffic.js';
import type { StepDeps } from '../handlers/define-step.js';
import { event } from '../timeline/types.js';
import type { ShiftOutput, shiftInput } from './contracts.js';

/**
 * Points the plan's DNS records at the target region. Each record is read first and only what
 * does not already point at the target is changed, all of one hosted zone in one change batch
 * so they move together. CheckTraffic then waits for the batches to be INSYNC.
 *
 * Route 53's control plane is in us-east-1: when that is the failed region these calls may not
 * get through, and the runbook moves traffic with Route 53 ARC routing controls instead.
 */
export async function shiftTraffic(input: z.infer<typeof shiftInput>, deps: StepDeps): Promise<ShiftOutput> {
  const { request } = input;
  const now = deps.now();
  const route53 = deps.clients.route53();
  const records = deps.plan.dns.records;

  const bound = deps.plan.timeouts.failedRegionCallMs;
  const current = await viaControlPlane(request.sourceRegion, bound, () =>
    Promise.all(records.map((record) => readRecord(route53, record))),
  );
  const shifts = records.map((record, i) =>
    decideShift(record, current[i] ?? [], request.sourceRegion, request.targetRegion),
  );

  const comment = `failover ${request.executionName}: ${request.sourceRegion} -> ${request.targetRegion} (${request.mode})`;
  const zones = [...upsertsByZone(shifts)];
  const changeIds = new Map(
    await viaControlPlane(request.sourceRegion, bound, () =>
      Promise.all(
        zones.map(
          async ([zone, upserts]) => [zone, await changeRecords(route53, zone, upserts, comment)] as const,
        ),
      ),
    ),
  );

  const outcomes = shifts.map((shift) => ({
    shift,
    label: `${shift.record.name} ${shift.record.type}`,
    changeId: shift.upserts.length > 0 ? (changeIds.get(shift.record.hostedZoneId) ?? null) : null,
  }));
  const timeline = outcomes.map(({ shift, label, changeId }) => {
    const facts = { record: label, from: shift.from, to: shift.to, changeId };
    return changeId
      ? event(
          now,
          'shift-traffic',
          'started',
          `${label}: ${shift.from} -> ${shift.to} (change ${changeId})`,
          facts,
        )
      : event(
          now,
          'shift-traffic',
          'skipped',
          `${label} already points at ${request.targetRegion}: ${shift.from}`,
          facts,
        );
  });

  return {
    records: outcomes.map(({ shift, changeId }) => ({
      name: shift.record.name,
      action: changeId ? 'changed' : 'already',
      changeId,
    })),
    startedAt: now.toISOString(),
    deadline: new Date(now.getTime() + deps.plan.timeouts.dnsSyncSeconds * 1000).toISOString(),
    // Every record counts, changed or not: an "already" record may have been moved by an earlier
    // attempt of this step moments ago, and clients still hold the old answer for its TTL.
    maxTtlSeconds: Math.max(0, ...shifts.map((s) => s.ttlSeconds)),
    timeline,
  };
}
