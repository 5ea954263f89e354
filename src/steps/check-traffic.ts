import type { z } from 'zod';
import { type ChangeStatus, getChangeStatus } from '../aws/route53.js';
import { viaControlPlane } from '../aws/route53-control-plane.js';
import { DeadlineExceededError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import { event, type TimelineEvent } from '../timeline/types.js';
import type { CheckTrafficOutput, checkTrafficInput } from './contracts.js';
import { isDryRun } from './dry-run.js';

/** Route 53 changes are typically INSYNC within 60 s (GetChange, API reference). */
const UNKNOWN_CHANGE_SETTLE_MS = 60_000;

/** The in-sync count this phase last recorded: only the timeline travels between polls. */
function lastInSync(timeline: readonly TimelineEvent[]): number | undefined {
  for (let i = timeline.length - 1; i >= 0; i--) {
    const value = timeline[i]?.facts?.inSync;
    if (typeof value === 'number') return value;
  }
  return undefined;
}

/**
 * One poll of the DNS change batches shift-traffic sent: in sync once every Route 53
 * authoritative server answers with the target. Clients may still hold the old answer for
 * `maxTtlSeconds` after that; the report adds it to the user-facing RTO.
 *
 * GetChange is a control-plane call served from us-east-1. When us-east-1 is the failed region
 * the runbook switches to Route 53 ARC routing controls, which have no INSYNC: the new state is
 * confirmed by reading the control back from the cluster endpoints (not built yet).
 *
 * After a dry run's shift-traffic no change batch was sent: in sync at once, without calling
 * Route 53, so the state machine goes on along its usual path.
 */
export async function checkTraffic(
  input: z.infer<typeof checkTrafficInput>,
  deps: StepDeps,
): Promise<CheckTrafficOutput> {
  const { shift, previous } = input;
  const now = deps.now();
  if (shift.dryRun === true || isDryRun(input.request)) {
    return {
      inSync: true,
      timeline: [
        ...(previous?.timeline ?? []),
        event(now, 'shift-traffic', 'dry-run', 'dry run: no DNS change was sent; nothing to wait for', {
          changes: 0,
          maxTtlSeconds: shift.maxTtlSeconds,
        }),
      ],
    };
  }
  const route53 = deps.clients.route53();

  const changeIds = [...new Set(shift.records.flatMap((r) => (r.changeId ? [r.changeId] : [])))];
  const statuses = await viaControlPlane(
    input.request.sourceRegion,
    deps.plan.timeouts.failedRegionCallMs,
    () =>
      Promise.all(
        changeIds.map(
          async (id): Promise<[string, ChangeStatus]> => [id, await getChangeStatus(route53, id)],
        ),
      ),
  );
  // A record found "already" pointing at the target may have been changed by an earlier attempt
  // of shift-traffic whose response was lost: its change id is unknown, and the new value shows in
  // ListResourceRecordSets before it is INSYNC. Allow it Route 53's usual propagation time.
  const unknownChanges = shift.records.some((r) => r.action === 'already');
  const settleAt = Date.parse(shift.startedAt) + UNKNOWN_CHANGE_SETTLE_MS;
  if (unknownChanges && now.getTime() < settleAt) {
    statuses.push(['(change of an earlier attempt)', 'PENDING']);
  }
  const pending = statuses.filter(([, status]) => status === 'PENDING').map(([id]) => id);
  const inSync = statuses.length - pending.length;
  const facts = { changes: changeIds.length, inSync, maxTtlSeconds: shift.maxTtlSeconds };
  const timeline = [...(previous?.timeline ?? [])];

  if (pending.length === 0) {
    const message =
      changeIds.length === 0
        ? 'no DNS change to wait for: every record already pointed at the target'
        : `${changeIds.length} DNS change(s) INSYNC; clients may keep the old answer up to ${shift.maxTtlSeconds} s`;
    timeline.push(event(now, 'shift-traffic', 'succeeded', message, facts));
    return { inSync: true, timeline };
  }

  if (now.getTime() > Date.parse(shift.deadline)) {
    const records = shift.records
      .filter((r) => r.changeId && pending.includes(r.changeId))
      .map((r) => r.name);
    throw new DeadlineExceededError(
      `Route 53 change(s) ${pending.join(', ')} for ${records.join(', ')} still PENDING at ${shift.deadline}. ` +
        'The records are saved and answer from servers already in sync; check the AWS Health Dashboard for ' +
        'Route 53 and `aws route53 get-change --id <id>`, and whether the records resolve to the target.',
    );
  }

  if (lastInSync(timeline) !== inSync) {
    timeline.push(
      event(
        now,
        'shift-traffic',
        'progress',
        `${pending.length} of ${changeIds.length} DNS change(s) PENDING`,
        facts,
      ),
    );
  }
  return { inSync: false, timeline };
}
