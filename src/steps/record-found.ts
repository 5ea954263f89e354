import type { z } from 'zod';
import { readRecord } from '../aws/route53.js';
import type { StepDeps } from '../handlers/define-step.js';
import type { RecordFoundOutput, recordFoundInput } from '../recovery/contracts.js';
import { readFoundServices } from '../recovery/found.js';
import { event } from '../timeline/types.js';

const STEP = 'record-found';

/**
 * Reads, just before the first change, what every plan service looks like in both regions:
 * desiredCount, autoscaling bounds and suspended scaling. It is the undo record: a failure
 * before the writer moves restores exactly this (src/recovery/decide.ts). The target is the
 * orchestrator's own region and answers; the source may be down, and is read with the same
 * bound as every call into a failed region. Reads only: safe to retry, and run in dry runs too.
 */
export async function recordFound(
  input: z.infer<typeof recordFoundInput>,
  deps: StepDeps,
): Promise<RecordFoundOutput> {
  const { request } = input;
  const now = deps.now();
  const regions = [request.sourceRegion, request.targetRegion];
  const reads = await Promise.all(
    regions.map((region) =>
      readFoundServices(
        deps,
        region,
        region === request.targetRegion
          ? 'own-region'
          : request.mode === 'planned'
            ? 'failed-region'
            : 'failed-region-once',
      ),
    ),
  );
  const services = reads.flatMap((r) => (r.ok ? r.services : []));
  const unread = reads.flatMap((r, i) => (r.ok ? [] : [{ region: regions[i] ?? '?', detail: r.detail }]));
  // Only a planned drain changes DNS before the writer moves; both regions (and Route 53's
  // control plane) answer in a planned move, and a read that fails stops the move before it starts.
  const drains = request.mode === 'planned' && deps.plan.dns.drain !== undefined && request.dryRun !== true;
  const route53 = deps.clients.route53();
  const records = drains
    ? await Promise.all(
        deps.plan.dns.records.map(async (record, index) => ({
          index,
          hostedZoneId: record.hostedZoneId,
          sets: await readRecord(route53, record),
        })),
      )
    : [];
  const message =
    unread.length === 0
      ? `recorded ${services.length} service(s) as found in ${regions.join(' and ')}: what a rollback restores`
      : `recorded ${services.length} service(s) as found; ${unread.map((u) => `${u.region} unreadable (${u.detail})`).join('; ')}`;
  return {
    at: now.toISOString(),
    services,
    records,
    unread,
    timeline: [
      event(deps.now(), STEP, 'skipped', message, { services: services.length, unread: unread.length }),
    ],
  };
}
