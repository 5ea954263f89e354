import { DescribeScalableTargetsCommand } from '@aws-sdk/client-application-auto-scaling';
import * as z from 'zod';
import { boundedCall } from '../aws/bounded.js';
import { describeServices, scalableResourceId } from '../aws/ecs.js';
import { inFailedRegion, retryOrThrow, STEP_RETRY_BUDGET_MS } from '../aws/retry.js';
import { awsCall } from '../aws/translate.js';
import { locateService } from '../decisions/capacity.js';
import type { StepDeps } from '../handlers/define-step.js';

/**
 * What a service looked like before this execution changed anything: the undo record that a
 * rollback restores. Read once, before the first change, for both regions (the target's read
 * always answers: it is the orchestrator's own region; the source's is best effort).
 */
export const suspendedStateSchema = z.object({
  dynamicIn: z.boolean(),
  dynamicOut: z.boolean(),
  scheduled: z.boolean(),
});
export const foundServiceSchema = z.object({
  region: z.string(),
  cluster: z.string(),
  service: z.string(),
  desired: z.number().int(),
  /** Autoscaling bounds; null when Application Auto Scaling does not manage the service. */
  minCapacity: z.number().int().nullable(),
  maxCapacity: z.number().int().nullable(),
  suspended: suspendedStateSchema.nullable(),
});
/** One Route 53 record set as read (src/decisions/traffic.ts RecordSetState). */
export const foundRecordSetSchema = z.object({
  name: z.string(),
  type: z.string(),
  setIdentifier: z.string().optional(),
  weight: z.number().optional(),
  ttl: z.number().optional(),
  values: z.array(z.string()),
  alias: z
    .object({ dnsName: z.string(), hostedZoneId: z.string(), evaluateTargetHealth: z.boolean() })
    .optional(),
  healthCheckId: z.string().optional(),
});
export const foundRecordSchema = z.object({
  /** Index of the record in the plan's dns.records. */
  index: z.number().int(),
  hostedZoneId: z.string(),
  sets: z.array(foundRecordSetSchema),
});
export const foundStateSchema = z.object({
  at: z.string(),
  services: z.array(foundServiceSchema),
  /**
   * The plan's records as found, read only when something before the point of no return changes
   * them (a planned move's gradual drain); empty otherwise.
   */
  records: z.array(foundRecordSchema).default([]),
  /** Regions whose services could not be read (nothing there can be restored exactly). */
  unread: z.array(z.object({ region: z.string(), detail: z.string() })),
});
export type FoundRecord = z.infer<typeof foundRecordSchema>;
export type FoundService = z.infer<typeof foundServiceSchema>;
export type FoundState = z.infer<typeof foundStateSchema>;
export type SuspendedState = z.infer<typeof suspendedStateSchema>;

/** The ECS and autoscaling state of every plan service in `region`, or why it could not be read. */
export async function readFoundServices(
  deps: StepDeps,
  region: string,
  where: 'own-region' | 'failed-region' | 'failed-region-once',
): Promise<{ ok: true; services: FoundService[] } | { ok: false; detail: string }> {
  const { ecs, autoscaling } = deps.clients.forRegion(region);
  const read = async (abortSignal: AbortSignal) => {
    const refs = deps.plan.services.map((s) => ({ plan: s, ...locateService(s, region) }));
    const clusters = [...new Set(refs.map((r) => r.cluster))];
    const described = (
      await Promise.all(
        clusters.map((cluster) =>
          describeServices(
            ecs,
            cluster,
            refs.filter((r) => r.cluster === cluster).map((r) => r.service),
            { abortSignal },
          ),
        ),
      )
    ).flat();
    const managed = refs.filter((r) => r.plan.autoScaling);
    const targets = managed.length
      ? await awsCall('DescribeScalableTargets', () =>
          autoscaling.send(
            new DescribeScalableTargetsCommand({
              ServiceNamespace: 'ecs',
              ResourceIds: managed.map((r) => scalableResourceId(r.cluster, r.service)),
              ScalableDimension: 'ecs:service:DesiredCount',
            }),
            { abortSignal },
          ),
        )
      : { ScalableTargets: [] };
    return refs.map((ref): FoundService => {
      const state = described.find((d) => d.cluster === ref.cluster && d.service === ref.service);
      const target = targets.ScalableTargets?.find(
        (t) => t.ResourceId === scalableResourceId(ref.cluster, ref.service),
      );
      const s = target?.SuspendedState;
      return {
        region,
        cluster: ref.cluster,
        service: ref.service,
        desired: state?.desired ?? 0,
        minCapacity: target ? (target.MinCapacity ?? 0) : null,
        maxCapacity: target ? (target.MaxCapacity ?? 0) : null,
        suspended: target
          ? {
              dynamicIn: s?.DynamicScalingInSuspended === true,
              dynamicOut: s?.DynamicScalingOutSuspended === true,
              scheduled: s?.ScheduledScalingSuspended === true,
            }
          : null,
      };
    });
  };
  // The rule for reads (DESIGN.md): a reachable region's transient errors are retried, bounded
  // by the step's budget; in our own region a read that still fails goes to the state machine's
  // retry; only the failed region's silence makes the read "unreadable".
  if (where === 'own-region') {
    return { ok: true, services: await retryOrThrow(`read ${region} services`, read) };
  }
  if (where === 'failed-region-once') {
    // One bounded attempt: the undo record must not hold up a failover out of a dark region;
    // the fence reads the source again and records what it finds (its `previous`).
    const once = await boundedCall(read, deps.plan.timeouts.failedRegionCallMs);
    return once.ok ? { ok: true, services: once.value } : { ok: false, detail: once.detail };
  }
  const outcome = await inFailedRegion(read, {
    attemptMs: deps.plan.timeouts.failedRegionCallMs,
    deadline: Date.now() + STEP_RETRY_BUDGET_MS,
  });
  return outcome.ok ? { ok: true, services: outcome.value } : { ok: false, detail: outcome.why };
}

/** The AWS CLI commands that put one service back as found (bounds first, then the desired count). */
export function restoreCommands(s: FoundService): string[] {
  return [
    ...(s.minCapacity === null
      ? []
      : [
          `aws application-autoscaling register-scalable-target --region ${s.region} --service-namespace ecs --resource-id ${scalableResourceId(s.cluster, s.service)} --scalable-dimension ecs:service:DesiredCount --min-capacity ${s.minCapacity} --max-capacity ${s.maxCapacity} --suspended-state DynamicScalingInSuspended=${s.suspended?.dynamicIn ?? false},DynamicScalingOutSuspended=${s.suspended?.dynamicOut ?? false},ScheduledScalingSuspended=${s.suspended?.scheduled ?? false}`,
        ]),
    `aws ecs update-service --region ${s.region} --cluster ${s.cluster} --service ${s.service} --desired-count ${s.desired}`,
  ];
}
