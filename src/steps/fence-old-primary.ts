import type { z } from 'zod';
import {
  describeScalableTargetState,
  describeServices,
  lowerMinCapacity,
  scalableResourceId,
  setDesiredCount,
} from '../aws/ecs.js';
import { inFailedRegion, STEP_RETRY_BUDGET_MS } from '../aws/retry.js';
import { locateService } from '../decisions/capacity.js';
import type { StepDeps } from '../handlers/define-step.js';
import { databasesOf } from '../plan/databases.js';
import type { EcsServicePlan } from '../plan/schema.js';
import { event } from '../timeline/types.js';
import type { FenceOutput, fenceInput } from './contracts.js';
import { isDryRun, wouldDo } from './dry-run.js';

type FenceOutcome = FenceOutput['fencing'][number];
const STEP = 'fence-old-primary';
/** The fencing entries for Aurora's own write fencing, one per database; the report looks them up by this name. */
export const AURORA_FENCING_PREFIX = 'aurora ';
export const AURORA_FENCING_RESOURCE = (globalClusterId: string) =>
  `${AURORA_FENCING_PREFIX}${globalClusterId}`;

/**
 * Stops the old primary taking writes before the target is promoted: never two writers.
 *
 * Unplanned: the old region's services are scaled to zero and their autoscaling minimum
 * lowered to zero, so they stay fenced when the region recovers (its scaler would otherwise
 * bring them back, writing to a database that is no longer the writer). Every call goes into
 * the failed region, so each is bounded and its outcome recorded, never fatal. A region that
 * answers is retried through its transient errors (a throttled read must not leave it unfenced)
 * until the step's deadline; only one that stays silent across the unreachable window, or
 * refuses, makes the outcome "unconfirmed", with the exact commands to run when it answers.
 * Whatever the read found (desiredCount, autoscaling bounds, suspended scaling) is recorded in
 * `previous`, for the rollback and the failback. Aurora's own write fencing is part of
 * FailoverGlobalCluster.
 *
 * Planned: SwitchoverGlobalCluster makes the old writer read-only itself; the old region's
 * services keep serving until traffic has moved, so nothing is scaled down here.
 *
 * Dry run: the old region is read exactly as in a real run (bounded the same way) and each
 * service that a real run would fence is recorded as 'would-fence', not 'unconfirmed': that
 * outcome means "a call did not get through, a human must check", and the report turns it into
 * work for on-call. A service whose read does not get through stays 'unconfirmed', since that
 * is what a real run would record too. No follow-ups: nothing changed that needs undoing.
 */
export async function fenceOldPrimary(
  input: z.infer<typeof fenceInput>,
  deps: StepDeps,
): Promise<FenceOutput> {
  const { request } = input;
  const started = deps.now();
  const dryRun = isDryRun(request);
  if (request.mode === 'planned') {
    const fencing: FenceOutcome[] = databasesOf(deps.plan).map((db) => ({
      resource: AURORA_FENCING_RESOURCE(db.globalClusterIdentifier),
      action: 'switchover makes the old writer read-only',
      outcome: dryRun ? 'would-fence' : 'already',
      detail: dryRun
        ? 'would be done by SwitchoverGlobalCluster; nothing sent (dry run)'
        : 'managed by SwitchoverGlobalCluster',
    }));
    return {
      fencing,
      followUps: dryRun
        ? []
        : [
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

  if (dryRun) return dryRunFencing(request, started, deps);

  // One deadline for every call of this invocation, well inside the Lambda timeout.
  const deadline = Date.now() + STEP_RETRY_BUDGET_MS;
  const results = await Promise.all(
    deps.plan.services.map((service) => fenceService(service, request.sourceRegion, deps, deadline)),
  );
  const fencing = results.map((r) => r.outcome);
  const followUps = results.flatMap((r) => r.followUps);
  // Nothing has demoted the old writer yet: FailoverGlobalCluster does that as part of the
  // promotion, when it can reach it. The report marks this confirmed only once the target was
  // verified as the single writer while the old region answered.
  for (const db of databasesOf(deps.plan)) {
    fencing.push({
      resource: AURORA_FENCING_RESOURCE(db.globalClusterIdentifier),
      action: 'write fencing of the old writer by FailoverGlobalCluster',
      outcome: 'unconfirmed',
      detail: `requested with the promotion; confirmed when ${request.targetRegion} is verified as the only writer`,
    });
    followUps.push(
      `When ${request.sourceRegion} answers: aws rds describe-global-clusters --region ${request.targetRegion} --global-cluster-identifier ${db.globalClusterIdentifier} and check exactly one member has IsWriter=true (the ${request.targetRegion} cluster).`,
    );
  }
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

interface ServiceFencing {
  outcome: FenceOutcome;
  followUps: string[];
  /** Dry run: what a real run would do to this service (null when nothing, or unreadable). */
  would: string | null;
}

type Previous = NonNullable<FenceOutcome['previous']>;

/** What fencing one service takes, decided from its reads alone: the same in real and dry runs. */
interface FenceDecision {
  previous: Previous;
  lowerMin: boolean;
  scaleDown: boolean;
}

/** "desiredCount 6, autoscaling min 6 max 12, nothing suspended": the service as found. */
function describePrevious(p: Previous): string {
  if (p.minCapacity === null) return `desiredCount ${p.desired}, no autoscaling`;
  const suspended = p.suspended
    ? [
        ...(p.suspended.dynamicIn ? ['dynamic scale-in'] : []),
        ...(p.suspended.dynamicOut ? ['dynamic scale-out'] : []),
        ...(p.suspended.scheduled ? ['scheduled scaling'] : []),
      ]
    : [];
  const state = suspended.length > 0 ? `suspended: ${suspended.join(', ')}` : 'nothing suspended';
  return `desiredCount ${p.desired}, autoscaling min ${p.minCapacity} max ${p.maxCapacity}, ${state}`;
}

async function fenceService(
  service: EcsServicePlan,
  region: string,
  deps: StepDeps,
  deadline: number,
  dryRun = false,
): Promise<ServiceFencing> {
  const { cluster, service: name } = locateService(service, region);
  const { ecs, autoscaling } = deps.clients.forRegion(region);
  const resource = `ecs ${region}/${cluster}/${name}`;
  const action = 'scale to 0 and lower autoscaling minimum to 0';
  // Every SuspendedState member is sent: one left out may be taken as false. Scale-in stays as
  // found (false when the read did not get through): it cannot bring a fenced service back.
  const commands = (scaleInSuspended = false) => [
    ...(service.autoScaling
      ? [
          `aws application-autoscaling register-scalable-target --region ${region} --service-namespace ecs --resource-id ${scalableResourceId(cluster, name)} --scalable-dimension ecs:service:DesiredCount --min-capacity 0 --suspended-state DynamicScalingInSuspended=${scaleInSuspended},DynamicScalingOutSuspended=true,ScheduledScalingSuspended=true`,
        ]
      : []),
    `aws ecs update-service --region ${region} --cluster ${cluster} --service ${name} --desired-count 0`,
  ];

  // A reachable region's throttles are retried until the step's deadline; only silence across
  // the unreachable window, or a refusal, leaves the service unconfirmed.
  const inOldRegion = <T>(call: (abortSignal: AbortSignal) => Promise<T>) =>
    inFailedRegion(call, { attemptMs: deps.plan.timeouts.failedRegionCallMs, deadline });
  const read = await inOldRegion(async (abortSignal): Promise<FenceDecision> => {
    const [current] = await describeServices(ecs, cluster, [name], { abortSignal });
    const scaler = service.autoScaling
      ? await describeScalableTargetState(autoscaling, cluster, name, { abortSignal })
      : null;
    const desired = current?.desired ?? 0;
    return {
      previous: {
        desired,
        minCapacity: scaler?.min ?? null,
        maxCapacity: scaler?.max ?? null,
        suspended: scaler?.suspended ?? null,
      },
      // A minimum of 0 is not fenced on its own: with scale-out or scheduled scaling still live,
      // the scaler brings the service back when its region recovers.
      lowerMin:
        scaler !== null &&
        (scaler.min !== 0 || scaler.suspended?.dynamicOut !== true || scaler.suspended?.scheduled !== true),
      scaleDown: desired > 0,
    };
  });

  const where = `${name} in ${region} (${cluster})`;
  if (!read.ok) {
    const why = read.why;
    return dryRun
      ? {
          outcome: {
            resource,
            action,
            outcome: 'unconfirmed',
            detail: `dry run: ${region} did not answer the read: ${why}; a real run would record this fencing unconfirmed`,
          },
          followUps: [],
          would: `would fence ${where}, but ${region} did not answer the read (${why}): a real run would record it unconfirmed`,
        }
      : {
          outcome: { resource, action, outcome: 'unconfirmed', detail: `${region} did not confirm: ${why}` },
          followUps: commands().map((c) => `When ${region} answers, run: ${c}`),
          would: null,
        };
  }
  const { previous, lowerMin, scaleDown } = read.value;
  const found = describePrevious(previous);
  if (!lowerMin && !scaleDown) {
    return {
      outcome: { resource, action, outcome: 'already', detail: `already at 0 (${found})`, previous },
      followUps: [],
      would: null,
    };
  }
  if (dryRun) {
    const steps = [
      ...(lowerMin ? [`lower the autoscaling minimum of ${where} ${previous.minCapacity} -> 0`] : []),
      ...(scaleDown ? [`scale ${lowerMin ? 'it' : where} ${previous.desired} -> 0`] : []),
    ];
    return {
      outcome: {
        resource,
        action,
        outcome: 'would-fence',
        detail: `found ${found}; nothing sent (dry run)`,
        previous,
      },
      followUps: [],
      would: `would ${steps.join(', then ')}`,
    };
  }

  // Minimum and suspension first: from then on no scaling activity can raise the service (a
  // scheduled action setting a higher minimum, a scale-out on load while its tasks drain), so
  // the scale-down after it holds.
  //
  // Eventual consistency (ECS API Reference: the API "follows an eventual consistency model"):
  // the read above may lag a change made just before it. Every call here sends the fenced value
  // itself (minimum 0, desiredCount 0), never a figure derived from the read, so a stale read
  // cannot make it send anything that conflicts with a newer change. A stale read can only hide
  // a scale-up from 0 made seconds earlier, which needs the service at 0 already, with its
  // scaler live: not a service this fence has touched.
  const lowered = lowerMin
    ? await inOldRegion((abortSignal) =>
        lowerMinCapacity(autoscaling, cluster, name, 0, {
          abortSignal,
          scaleInSuspended: previous.suspended?.dynamicIn ?? false,
        }),
      )
    : ({ ok: true, value: undefined } as const);
  const scaled =
    lowered.ok && scaleDown
      ? await inOldRegion((abortSignal) => setDesiredCount(ecs, cluster, name, 0, { abortSignal }))
      : lowered;
  if (!scaled.ok) {
    const failed = lowered.ok ? 'the scale-down' : 'the lowered minimum';
    return {
      outcome: {
        resource,
        action,
        outcome: 'unconfirmed',
        detail: `${region} answered the read (found ${found}) but did not confirm ${failed}: ${scaled.why}`,
        previous,
      },
      // Re-sending a step that did land changes nothing: every command is safe to run again.
      followUps: commands(previous.suspended?.dynamicIn).map((c) => `When ${region} answers, run: ${c}`),
      would: null,
    };
  }
  return {
    outcome: {
      resource,
      action,
      outcome: 'fenced',
      detail: `was ${found}; failback restores exactly that`,
      previous,
    },
    followUps: [],
    would: null,
  };
}

/** The unplanned fencing of a dry run: every read, every decision, no change. */
async function dryRunFencing(
  request: z.infer<typeof fenceInput>['request'],
  started: Date,
  deps: StepDeps,
): Promise<FenceOutput> {
  const region = request.sourceRegion;
  const deadline = Date.now() + STEP_RETRY_BUDGET_MS;
  const results = await Promise.all(
    deps.plan.services.map((service) => fenceService(service, region, deps, deadline, true)),
  );
  const fencing = results.map((r) => r.outcome);
  for (const db of databasesOf(deps.plan)) {
    fencing.push({
      resource: AURORA_FENCING_RESOURCE(db.globalClusterIdentifier),
      action: 'write fencing of the old writer by FailoverGlobalCluster',
      outcome: 'would-fence',
      detail: 'would be requested with the promotion (FailoverGlobalCluster); nothing sent (dry run)',
    });
  }
  const count = (outcome: FenceOutcome['outcome']) =>
    results.filter((r) => r.outcome.outcome === outcome).length;
  const ended = deps.now();
  return {
    fencing,
    followUps: [],
    timeline: [
      event(started, STEP, 'started', `dry run: reading ${results.length} service(s) in ${region} to fence`),
      ...results.flatMap((r) =>
        r.would
          ? [wouldDo(ended, STEP, r.would, { resource: r.outcome.resource, outcome: r.outcome.outcome })]
          : [],
      ),
      event(
        ended,
        STEP,
        'dry-run',
        `dry run: ${count('would-fence')} service(s) would be fenced, ${count('already')} already fenced, ${count('unconfirmed')} unreadable; nothing sent`,
        {
          wouldFence: count('would-fence'),
          already: count('already'),
          unconfirmed: count('unconfirmed'),
        },
      ),
    ],
  };
}
