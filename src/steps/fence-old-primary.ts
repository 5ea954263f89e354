import type { z } from 'zod';
import { boundedCall } from '../aws/bounded.js';
import {
  describeScalableTarget,
  describeServices,
  lowerMinCapacity,
  scalableResourceId,
  setDesiredCount,
} from '../aws/ecs.js';
import { locateService } from '../decisions/capacity.js';
import type { StepDeps } from '../handlers/define-step.js';
import type { EcsServicePlan } from '../plan/schema.js';
import { event } from '../timeline/types.js';
import type { FenceOutput, fenceInput } from './contracts.js';

type FenceOutcome = FenceOutput['fencing'][number];
const STEP = 'fence-old-primary';
/** The fencing entry for Aurora's own write fencing; the report looks it up by this name. */
export const AURORA_FENCING_RESOURCE = (globalClusterId: string) => `aurora ${globalClusterId}`;

/**
 * Stops the old primary taking writes before the target is promoted: never two writers.
 *
 * Unplanned: the old region's services are scaled to zero and their autoscaling minimum
 * lowered to zero, so they stay fenced when the region recovers (its scaler would otherwise
 * bring them back, writing to a database that is no longer the writer). Every call goes into
 * the failed region, so each is bounded and its outcome recorded, never fatal: "unconfirmed"
 * comes with the exact commands to run when the region answers. Aurora's own write fencing
 * is part of FailoverGlobalCluster.
 *
 * Planned: SwitchoverGlobalCluster makes the old writer read-only itself; the old region's
 * services keep serving until traffic has moved, so nothing is scaled down here.
 */
export async function fenceOldPrimary(
  input: z.infer<typeof fenceInput>,
  deps: StepDeps,
): Promise<FenceOutput> {
  const { request } = input;
  const started = deps.now();
  if (request.mode === 'planned') {
    const fencing: FenceOutcome[] = [
      {
        resource: AURORA_FENCING_RESOURCE(deps.plan.database.globalClusterIdentifier),
        action: 'switchover makes the old writer read-only',
        outcome: 'already',
        detail: 'managed by SwitchoverGlobalCluster',
      },
    ];
    return {
      fencing,
      followUps: [
        `Services in ${request.sourceRegion} were left running for the planned move: scale them down once traffic has drained, or keep them for failback.`,
      ],
      timeline: [
        event(
          started,
          STEP,
          'skipped',
          'planned switchover: Aurora fences writes itself; old region keeps serving until traffic moves',
        ),
      ],
    };
  }

  const results = await Promise.all(
    deps.plan.services.map((service) => fenceService(service, request.sourceRegion, deps)),
  );
  const fencing = results.map((r) => r.outcome);
  const followUps = results.flatMap((r) => r.followUps);
  // Nothing has demoted the old writer yet: FailoverGlobalCluster does that as part of the
  // promotion, when it can reach it. The report marks this confirmed only once the target was
  // verified as the single writer while the old region answered.
  fencing.push({
    resource: AURORA_FENCING_RESOURCE(deps.plan.database.globalClusterIdentifier),
    action: 'write fencing of the old writer by FailoverGlobalCluster',
    outcome: 'unconfirmed',
    detail: `requested with the promotion; confirmed when ${request.targetRegion} is verified as the only writer`,
  });
  followUps.push(
    `When ${request.sourceRegion} answers: aws rds describe-global-clusters --region ${request.targetRegion} --global-cluster-identifier ${deps.plan.database.globalClusterIdentifier} and check exactly one member has IsWriter=true (the ${request.targetRegion} cluster).`,
  );
  const unconfirmed = fencing.filter(
    (f) => f.outcome === 'unconfirmed' && f.resource.startsWith('ecs '),
  ).length;
  const phase = unconfirmed > 0 ? 'unconfirmed' : 'succeeded';
  return {
    fencing,
    followUps,
    timeline: [
      event(
        started,
        STEP,
        'started',
        `fencing ${deps.plan.services.length} service(s) in ${request.sourceRegion}`,
      ),
      event(
        deps.now(),
        STEP,
        phase,
        `${results.length - unconfirmed} service(s) fenced or already fenced, ${unconfirmed} unconfirmed; Aurora write fencing comes with the promotion`,
        {
          fenced: fencing.filter((f) => f.outcome === 'fenced').length,
          already: fencing.filter((f) => f.outcome === 'already').length,
          unconfirmed,
        },
      ),
    ],
  };
}

async function fenceService(
  service: EcsServicePlan,
  region: string,
  deps: StepDeps,
): Promise<{ outcome: FenceOutcome; followUps: string[] }> {
  const { cluster, service: name } = locateService(service, region);
  const { ecs, autoscaling } = deps.clients.forRegion(region);
  const resource = `ecs ${region}/${cluster}/${name}`;
  const action = 'scale to 0 and lower autoscaling minimum to 0';
  const commands = [
    ...(service.autoScaling
      ? [
          `aws application-autoscaling register-scalable-target --region ${region} --service-namespace ecs --resource-id ${scalableResourceId(cluster, name)} --scalable-dimension ecs:service:DesiredCount --min-capacity 0`,
        ]
      : []),
    `aws ecs update-service --region ${region} --cluster ${cluster} --service ${name} --desired-count 0`,
  ];

  const outcome = await boundedCall(async (abortSignal) => {
    const [current] = await describeServices(ecs, cluster, [name], { abortSignal });
    const scaler = service.autoScaling
      ? await describeScalableTarget(autoscaling, cluster, name, { abortSignal })
      : null;
    const minAlreadyZero = scaler === null || scaler.min === 0;
    if (current?.desired === 0 && minAlreadyZero)
      return { already: true, previousDesired: 0, previousMin: scaler?.min ?? null };
    // Minimum first: with the old minimum in place the scaler would undo the scale-down.
    if (!minAlreadyZero) await lowerMinCapacity(autoscaling, cluster, name, 0, { abortSignal });
    if ((current?.desired ?? 0) > 0) await setDesiredCount(ecs, cluster, name, 0, { abortSignal });
    return { already: false, previousDesired: current?.desired ?? 0, previousMin: scaler?.min ?? null };
  }, deps.plan.timeouts.failedRegionCallMs);

  if (!outcome.ok) {
    return {
      outcome: {
        resource,
        action,
        outcome: 'unconfirmed',
        detail: `${region} did not confirm: ${outcome.reason}: ${outcome.detail}`,
      },
      followUps: commands.map((c) => `When ${region} answers, run: ${c}`),
    };
  }
  const { already, previousDesired, previousMin } = outcome.value;
  const restore = `failback restores desiredCount ${previousDesired}${previousMin === null ? '' : ` and autoscaling minimum ${previousMin}`}`;
  return {
    outcome: {
      resource,
      action,
      outcome: already ? 'already' : 'fenced',
      detail: already ? 'already at 0' : `was ${previousDesired} desired; ${restore}`,
    },
    followUps: [],
  };
}
