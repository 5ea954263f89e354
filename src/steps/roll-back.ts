import { RegisterScalableTargetCommand } from '@aws-sdk/client-application-auto-scaling';
import type { z } from 'zod';
import { withinDeadline } from '../aws/bounded.js';
import { scalableResourceId, setDesiredCount } from '../aws/ecs.js';
import { inFailedRegion, STEP_RETRY_BUDGET_MS } from '../aws/retry.js';
import { changeRecords, readRecord, toResourceRecordSet } from '../aws/route53.js';
import { awsCall } from '../aws/translate.js';
import type { StepDeps } from '../handlers/define-step.js';
import type { RollBackOutput, rollBackInput } from '../recovery/contracts.js';
import {
  type FoundRecord,
  type FoundService,
  readFoundServices,
  restoreCommands,
} from '../recovery/found.js';
import { MAX_ROLLBACK_ROUNDS } from '../recovery/limits.js';
import { event } from '../timeline/types.js';
import type { FenceOutput } from './contracts.js';

const STEP = 'roll-back';
/** Bound on each Route 53 call of the rollback: its control plane may be the failed region's. */
const READ_BOUND_MS = 10_000;
type Entry = RollBackOutput['entries'][number];

/**
 * Undoes what this execution changed before the writer moved: every service in both regions
 * goes back to the desiredCount, autoscaling bounds and suspended scaling recorded as found
 * (record-found), the un-fencing of the source above all. One round restores what differs and
 * reads nothing back; the state machine waits and runs it again, and the rollback is settled
 * only when two rounds in a row read everything back as found and send nothing (a read may lag
 * a change by seconds). Every value sent is the found one, never one derived from the read, so a
 * round that reads a stale count only repeats the same restore. That read-back also
 * catches a late write of the take-over branch that was stopped when the database branch
 * failed (a Lambda already running is not cancelled by Step Functions).
 *
 * A region that does not answer is recorded 'unconfirmed' with the commands to run later;
 * nothing is guessed for a service whose found state was never read.
 */
export async function rollBack(
  input: z.infer<typeof rollBackInput>,
  deps: StepDeps,
): Promise<RollBackOutput> {
  const { request, found, previous } = input;
  const round = (previous?.round ?? 0) + 1;
  // Every write is retried while its region answers, within one budget for the whole round.
  const budget = {
    attemptMs: deps.plan.timeouts.failedRegionCallMs,
    deadline: Date.now() + STEP_RETRY_BUDGET_MS,
  };
  const entries: Entry[] = [];
  const followUps: string[] = [];

  const undo = [...(found?.services ?? []), ...fencedAsFound(input.fence ?? null, found?.services ?? [])];
  for (const region of [request.sourceRegion, request.targetRegion]) {
    const wanted = undo.filter((s) => s.region === region);
    if (wanted.length === 0) {
      const unread = found?.unread.find((u) => u.region === region);
      entries.push({
        resource: `ecs ${region}`,
        outcome: unread ? 'unconfirmed' : 'untouched',
        detail: unread
          ? `its services were not readable before the first change (${unread.detail}): nothing to restore them to; check them by hand`
          : 'nothing recorded to restore',
      });
      continue;
    }
    // Even our own region is read under the failed-region rule here: a rollback that cannot read
    // it must still hand over the exact commands rather than fail without them.
    const current = await readFoundServices(deps, region, 'failed-region');
    if (!current.ok) {
      for (const service of wanted) {
        entries.push({
          resource: resourceOf(service),
          outcome: 'unconfirmed',
          detail: `${region} did not answer: ${current.detail}`,
        });
        followUps.push(...restoreCommands(service).map((c) => `When ${region} answers, run: ${c}`));
      }
      continue;
    }
    for (const service of wanted) {
      const seen = current.services.find(
        (s) => s.cluster === service.cluster && s.service === service.service,
      );
      const entry = await restore(service, seen ?? null, deps, budget);
      entries.push(entry);
      if (entry.outcome === 'unconfirmed')
        followUps.push(...restoreCommands(service).map((c) => `When ${region} answers, run: ${c}`));
    }
  }

  for (const record of found?.records ?? []) {
    entries.push(await restoreRecord(record, request.executionName, deps));
  }

  const restoredNow = entries.filter((e) => e.outcome === 'restored').length;
  const unconfirmed = entries.filter((e) => e.outcome === 'unconfirmed').length;
  // DescribeServices is eventually consistent (ECS API Reference): a read within seconds of a
  // change may still show what was there before it, so one clean read-back could be a stale
  // one hiding a late write (ours, or the stopped take-over branch's). Settled only when two
  // rounds in a row, the state machine's wait apart, read everything back as found; a round left
  // with only unreachable resources settles at once (a further round cannot reach them either).
  const previousClean = previous?.entries.every((e) => e.outcome !== 'restored') === true;
  const settled = (restoredNow === 0 && (previousClean || unconfirmed > 0)) || round >= MAX_ROLLBACK_ROUNDS;
  const complete = restoredNow === 0 && unconfirmed === 0;
  const message =
    settled && complete
      ? `rolled back: every service reads back as found (${entries.length} checked)`
      : restoredNow > 0
        ? `round ${round}: restored ${restoredNow} service(s); reading back after a pause`
        : settled
          ? `rollback incomplete: ${unconfirmed} resource(s) unconfirmed`
          : `round ${round}: everything reads back as found; reading back once more after a pause (reads may lag a recent change)`;
  return {
    settled,
    complete,
    round,
    entries,
    followUps: [...new Set(followUps)],
    timeline: [
      ...(previous?.timeline ?? []),
      event(deps.now(), STEP, settled ? (complete ? 'succeeded' : 'unconfirmed') : 'progress', message, {
        round,
        restored: restoredNow,
        unconfirmed,
      }),
    ],
  };
}

/** Puts a drained record's weights back as found (only a planned drain changes DNS this early). */
async function restoreRecord(found: FoundRecord, executionName: string, deps: StepDeps): Promise<Entry> {
  const plan = deps.plan.dns.records[found.index];
  const resource = `dns ${plan?.name ?? found.index} ${plan?.type ?? ''}`.trim();
  if (!plan) return { resource, outcome: 'unconfirmed', detail: 'not in the plan any more' };
  const route53 = deps.clients.route53();
  const upsert = (sets: FoundRecord['sets']) =>
    `aws route53 change-resource-record-sets --hosted-zone-id ${found.hostedZoneId} --change-batch '${JSON.stringify(
      {
        Comment: `rollback of ${executionName}`,
        Changes: sets.map((set) => ({ Action: 'UPSERT', ResourceRecordSet: toResourceRecordSet(set) })),
      },
    )}'`;
  let now: Awaited<ReturnType<typeof readRecord>>;
  try {
    now = await withinDeadline(
      (abortSignal) => readRecord(route53, plan, { abortSignal }),
      READ_BOUND_MS,
    ).then((r) => {
      if (r === 'silence')
        throw new Error(`Route 53's control plane did not answer within ${READ_BOUND_MS} ms`);
      return r.value;
    });
  } catch (error) {
    return {
      resource,
      outcome: 'unconfirmed',
      detail: `not read back (${(error as Error).message}); to put it back as found, run: ${upsert(found.sets)}`,
    };
  }
  const key = (s: FoundRecord['sets'][number]) =>
    JSON.stringify([s.setIdentifier ?? '', s.weight ?? null, s.values, s.alias?.dnsName ?? '']);
  const differs = found.sets.filter((set) => {
    const current = now.find((c) => (c.setIdentifier ?? '') === (set.setIdentifier ?? ''));
    return !current || key(current) !== key(set);
  });
  if (differs.length === 0) return { resource, outcome: 'as-found', detail: 'weights and values as found' };
  const sent = await withinDeadline(
    (abortSignal) =>
      changeRecords(route53, found.hostedZoneId, differs, `rollback of ${executionName}: records as found`, {
        abortSignal,
      }),
    READ_BOUND_MS,
  ).catch((error: Error) => error);
  if (sent === 'silence' || sent instanceof Error) {
    const why = sent === 'silence' ? 'no answer' : sent.message;
    return {
      resource,
      outcome: 'unconfirmed',
      detail: `not restored (${why}); to put it back as found, run: ${upsert(differs)}`,
    };
  }
  return {
    resource,
    outcome: 'restored',
    detail: differs.map((s) => `${s.setIdentifier ?? s.name} weight ${s.weight ?? '-'}`).join(', '),
  };
}

/**
 * Services the fence read (its `previous`) that RecordFound could not: a source that did not
 * answer before the first change but did when the fence ran. Resource "ecs REGION/CLUSTER/SERVICE".
 */
function fencedAsFound(fence: FenceOutput | null, known: readonly FoundService[]): FoundService[] {
  return (fence?.fencing ?? []).flatMap((entry) => {
    const match = /^ecs ([^/]+)\/([^/]+)\/(.+)$/.exec(entry.resource);
    if (!match || !entry.previous) return [];
    const [, region = '', cluster = '', service = ''] = match;
    if (known.some((k) => k.region === region && k.cluster === cluster && k.service === service)) return [];
    return [{ region, cluster, service, ...entry.previous }];
  });
}

function resourceOf(service: FoundService): string {
  return `ecs ${service.region}/${service.cluster}/${service.service}`;
}

function differs(found: FoundService, now: FoundService): { bounds: boolean; desired: boolean } {
  const bounds =
    found.minCapacity !== null &&
    (found.minCapacity !== now.minCapacity ||
      found.maxCapacity !== now.maxCapacity ||
      JSON.stringify(found.suspended) !== JSON.stringify(now.suspended));
  return { bounds, desired: found.desired !== now.desired };
}

async function restore(
  found: FoundService,
  now: FoundService | null,
  deps: StepDeps,
  budget: { attemptMs: number; deadline: number },
): Promise<Entry> {
  const resource = resourceOf(found);
  if (!now) return { resource, outcome: 'unconfirmed', detail: 'not found in the read-back' };
  const diff = differs(found, now);
  if (!diff.bounds && !diff.desired) {
    return {
      resource,
      outcome: 'as-found',
      detail: `desired ${found.desired}${boundsText(found)}, as found`,
    };
  }
  const { ecs, autoscaling } = deps.clients.forRegion(found.region);
  const sent = await inFailedRegion(async (abortSignal) => {
    // Bounds first: registering them with the found minimum may move desiredCount itself, and
    // the explicit desiredCount after it is what was found.
    if (diff.bounds) {
      await awsCall('RegisterScalableTarget', () =>
        autoscaling.send(
          new RegisterScalableTargetCommand({
            ServiceNamespace: 'ecs',
            ResourceId: scalableResourceId(found.cluster, found.service),
            ScalableDimension: 'ecs:service:DesiredCount',
            MinCapacity: found.minCapacity ?? 0,
            MaxCapacity: found.maxCapacity ?? 0,
            SuspendedState: {
              DynamicScalingInSuspended: found.suspended?.dynamicIn ?? false,
              DynamicScalingOutSuspended: found.suspended?.dynamicOut ?? false,
              ScheduledScalingSuspended: found.suspended?.scheduled ?? false,
            },
          }),
          { abortSignal },
        ),
      );
    }
    await setDesiredCount(ecs, found.cluster, found.service, found.desired, { abortSignal });
  }, budget);
  if (!sent.ok) {
    return { resource, outcome: 'unconfirmed', detail: `restore not confirmed: ${sent.why}` };
  }
  return {
    resource,
    outcome: 'restored',
    detail: `desired ${now.desired} -> ${found.desired}${diff.bounds ? `, bounds back to${boundsText(found)}` : ''}`,
  };
}

function boundsText(s: FoundService): string {
  if (s.minCapacity === null) return '';
  const suspended = s.suspended
    ? Object.entries(s.suspended)
        .filter(([, v]) => v)
        .map(([k]) => k)
    : [];
  return ` min ${s.minCapacity} max ${s.maxCapacity}${suspended.length ? ` (suspended: ${suspended.join(', ')})` : ''}`;
}
