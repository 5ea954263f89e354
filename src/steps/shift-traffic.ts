import type { z } from 'zod';
import { changeRecords } from '../aws/route53.js';
import { readPlanRecords, viaControlPlane } from '../aws/route53-control-plane.js';
import { decideShift, type RecordShift, upsertsByZone } from '../decisions/traffic.js';
import type { StepDeps } from '../handlers/define-step.js';
import { event, type Facts } from '../timeline/types.js';
import type { ShiftOutput, shiftInput } from './contracts.js';
import { isDryRun, wouldDo } from './dry-run.js';

/**
 * Points the plan's DNS records at the target region. Each record is read first and only what
 * does not already point at the target is changed, all of one hosted zone in one change batch
 * so they move together. CheckTraffic then waits for the batches to be INSYNC.
 *
 * Route 53's control plane is in us-east-1: when that is the failed region these calls may not
 * get through, and the runbook moves traffic with Route 53 ARC routing controls instead.
 *
 * A dry run reads the records the same way (through the same bounded control plane) and decides
 * the same upserts, but sends no change batch: each record a real run would change is recorded
 * as `changed` with no change id, and CheckTraffic has nothing to wait for.
 */
export async function shiftTraffic(input: z.infer<typeof shiftInput>, deps: StepDeps): Promise<ShiftOutput> {
  const { request } = input;
  const now = deps.now();
  const route53 = deps.clients.route53();
  const records = deps.plan.dns.records;

  const bound = deps.plan.timeouts.failedRegionCallMs;
  const current = await readPlanRecords(deps.plan, route53, request.sourceRegion);
  const shifts = records.map((record, i) =>
    decideShift(record, current[i] ?? [], request.sourceRegion, request.targetRegion),
  );

  const deadline = new Date(now.getTime() + deps.plan.timeouts.dnsSyncSeconds * 1000).toISOString();
  // Every record counts, changed or not: an "already" record may have been moved by an earlier
  // attempt of this step moments ago, and clients still hold the old answer for its TTL.
  const maxTtlSeconds = Math.max(0, ...shifts.map((s) => s.ttlSeconds));
  if (isDryRun(request)) {
    return {
      records: shifts.map((shift) => ({
        name: shift.record.name,
        action: shift.upserts.length > 0 ? 'changed' : 'already',
        changeId: null,
      })),
      startedAt: now.toISOString(),
      deadline,
      maxTtlSeconds,
      dryRun: true,
      timeline: shifts.map((shift) => {
        const label = `${shift.record.name} ${shift.record.type}`;
        const facts = {
          record: label,
          from: shift.from,
          to: shift.to,
          hostedZoneId: shift.record.hostedZoneId,
        };
        return shift.upserts.length > 0
          ? wouldDo(now, 'shift-traffic', wouldUpsert(shift), facts)
          : alreadyThere(now, label, request.targetRegion, shift.from, facts);
      }),
    };
  }

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
      : alreadyThere(now, label, request.targetRegion, shift.from, facts);
  });

  return {
    records: outcomes.map(({ shift, changeId }) => ({
      name: shift.record.name,
      action: changeId ? 'changed' : 'already',
      changeId,
    })),
    startedAt: now.toISOString(),
    deadline,
    maxTtlSeconds,
    timeline,
  };
}

/** "would UPSERT api.orders.example.com. weights orders-use1=0 orders-usw2=100": the record's end state. */
function wouldUpsert(shift: RecordShift): string {
  const { record } = shift;
  return record.routing === 'weighted'
    ? `would UPSERT ${record.name} weights ${shift.to}`
    : `would UPSERT ${record.name} ${record.type} ${shift.to} (was ${shift.from})`;
}

/** A record that needs no change: its own deliberate 'skipped' on the record. */
function alreadyThere(now: Date, label: string, target: string, current: string, facts: Facts) {
  return event(now, 'shift-traffic', 'skipped', `${label} already points at ${target}: ${current}`, facts);
}
