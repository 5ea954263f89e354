import type { z } from 'zod';
import {
  describeScalableTargetStates,
  describeServiceRefs,
  raiseMinCapacity,
  setDesiredCount,
} from '../aws/ecs.js';
import { mapPaced, WRITE_CONCURRENCY } from '../aws/paced.js';
import { retryOrThrow, STEP_RETRY_BUDGET_MS } from '../aws/retry.js';
import {
  decideScaleUp,
  locateService,
  raisedCapacity,
  type ScalerState,
  scaleUpCalls,
} from '../decisions/capacity.js';
import type { StepDeps } from '../handlers/define-step.js';
import { listed } from '../timeline/lists.js';
import { event, type Facts } from '../timeline/types.js';
import type { ScaleOutput, scaleInput } from './contracts.js';
import { isDryRun, wouldDo } from './dry-run.js';

type ScaledService = ScaleOutput['services'][number];

/**
 * Scales the plan's ECS services in the target region up to their active counts. Everything is
 * read before anything changes, so a missing service fails the step before any service moved,
 * and a re-run after success sends no write at all. CheckScale then polls until the tasks run.
 *
 * A service with a scaler is scaled by raising its minimum to the active count, with scale-out
 * and scheduled scaling resumed (a failback finds them suspended by the fence); Application Auto
 * Scaling moves its desired count up to the minimum at once. No UpdateService is sent for it: a
 * DescribeServices read may lag a scale-out the scaler just made, and a desiredCount computed
 * from it would scale the service back down (src/decisions/capacity.ts, scaleUpCalls).
 *
 * A dry run reads and decides the same way, sends nothing, and records per service what a real
 * run would change; its output says what would be done (`dryRun: true`).
 */
export async function scaleTarget(input: z.infer<typeof scaleInput>, deps: StepDeps): Promise<ScaleOutput> {
  const { request } = input;
  const dryRun = isDryRun(request);
  const now = deps.now();
  const region = request.targetRegion;
  const { ecs, autoscaling } = deps.clients.forRegion(region);

  const locations = deps.plan.services.map((service) => ({
    plan: service,
    ...locateService(service, region),
  }));
  // Every write below retries its throttles until this deadline, well inside the Lambda timeout;
  // what is left then is sent by the state machine's retry of this step, which reads again first.
  const writesUntil = Date.now() + STEP_RETRY_BUDGET_MS;
  const scaledLocations = locations.filter((l) => l.plan.autoScaling);
  const [states, scalableStates] = await Promise.all([
    describeServiceRefs(ecs, locations),
    describeScalableTargetStates(autoscaling, scaledLocations),
  ]);
  const scalables = locations.map((l) =>
    l.plan.autoScaling ? (scalableStates[scaledLocations.indexOf(l)] ?? null) : null,
  );
  const write = (operation: string, call: (abortSignal: AbortSignal) => Promise<unknown>) =>
    retryOrThrow(operation, call, { deadlineMs: writesUntil - Date.now() });

  const plans = locations.map((location, i) => {
    const current = states[i]?.desired ?? 0;
    const scalable = scalables[i] ?? null;
    const decision = decideScaleUp(location.plan.activeCount, current, scalable);
    const calls = scaleUpCalls(decision, scalable);
    return { location, current, scalable, decision, calls };
  });
  const would = plans.map((p) => wouldChange(p.location.name, p.current, p.decision, p.calls, p.scalable));

  // One lane per API, each a few writes at a time (src/aws/paced.ts): AWS throttles UpdateService
  // and RegisterScalableTarget per account and region, each in a bucket of its own, and a plan
  // may name hundreds of services. A service needs one of the two writes, never both
  // (scaleUpCalls), so the lanes never wait on each other: a throttled RegisterScalableTarget
  // does not hold back the UpdateService of a service without a scaler.
  const registerLane = plans.flatMap((p) =>
    p.calls.register && p.scalable && !dryRun ? [{ ...p, scalable: p.scalable }] : [],
  );
  const updateLane = plans.filter((p) => p.calls.updateService && !dryRun);
  await Promise.all([
    mapPaced(registerLane, WRITE_CONCURRENCY, ({ location, decision, scalable }) =>
      write('RegisterScalableTarget', (abortSignal) =>
        raiseMinCapacity(
          autoscaling,
          location.cluster,
          location.service,
          decision.raiseMinTo ?? location.plan.activeCount,
          scalable,
          { abortSignal },
        ),
      ),
    ),
    mapPaced(updateLane, WRITE_CONCURRENCY, ({ location, decision }) =>
      write('UpdateService', (abortSignal) =>
        setDesiredCount(ecs, location.cluster, location.service, decision.desired, { abortSignal }),
      ),
    ),
  ]);
  const services = plans.map(
    ({ location, current, decision, calls }): ScaledService => ({
      name: location.name,
      cluster: location.cluster,
      service: location.service,
      previousDesired: current,
      desired: decision.desired,
      action: decision.updateDesired ? 'scaled' : 'already',
      minCapacityRaised: decision.raiseMinTo !== null,
      ...(calls.resume ? { scalingResumed: true } : {}),
    }),
  );

  const scaled = services.filter((s) => s.action === 'scaled');
  const minRaised = services.filter((s) => s.minCapacityRaised);
  const resumed = services.filter((s) => s.scalingResumed === true);
  // Totals only: the output's `services` has each one's counts, and per-service facts for a plan
  // of hundreds would crowd Step Functions' 256 KiB state (src/timeline/lists.ts).
  const facts: Facts = {
    region,
    services: services.length,
    scaled: scaled.length,
    minRaised: minRaised.length,
    resumed: resumed.length,
  };
  const actions = [
    ...(scaled.length > 0
      ? [`scaling ${listed(scaled.map((s) => `${s.name} ${s.previousDesired}->${s.desired}`))}`]
      : []),
    ...(minRaised.length > 0
      ? [`raised the autoscaling minimum of ${listed(minRaised.map((s) => s.name))}`]
      : []),
    ...(resumed.length > 0
      ? [`resumed the suspended scale-out and scheduled scaling of ${listed(resumed.map((s) => s.name))}`]
      : []),
  ];
  const deadline = new Date(now.getTime() + deps.plan.timeouts.scaleSeconds * 1000).toISOString();
  if (dryRun && actions.length > 0) {
    return {
      services,
      startedAt: now.toISOString(),
      deadline,
      dryRun: true,
      timeline: services.flatMap((s, i) => {
        const message = would[i];
        return message
          ? [
              wouldDo(now, 'scale-target', message, {
                region,
                service: s.name,
                previousDesired: s.previousDesired,
                desired: s.desired,
                minCapacityRaised: s.minCapacityRaised,
              }),
            ]
          : [];
      }),
    };
  }
  const timeline = [
    actions.length === 0
      ? event(
          now,
          'scale-target',
          'skipped',
          `all ${services.length} ECS services already at capacity in ${region}`,
          facts,
        )
      : event(now, 'scale-target', 'started', `${actions.join('; ')} in ${region}`, facts),
  ];

  return {
    services,
    startedAt: now.toISOString(),
    deadline,
    ...(dryRun ? { dryRun: true as const } : {}),
    timeline,
  };
}

/** "would scale orders-api 2 -> 6 and raise its autoscaling minimum to 6", or null when nothing changes. */
function wouldChange(
  name: string,
  current: number,
  decision: ReturnType<typeof decideScaleUp>,
  calls: ReturnType<typeof scaleUpCalls>,
  scalable: ScalerState | null,
): string | null {
  const bounds =
    decision.raiseMinTo !== null && scalable ? raisedCapacity(scalable, decision.raiseMinTo) : null;
  const minimum = bounds
    ? `autoscaling minimum to ${bounds.min}${bounds.max === scalable?.max ? '' : ` (and maximum to ${bounds.max})`}`
    : null;
  const resume = calls.resume ? 'resume its suspended scale-out and scheduled scaling' : null;
  const also = [minimum && `raise its ${minimum}`, resume].filter((x): x is string => Boolean(x));
  if (decision.updateDesired) {
    return `would scale ${name} ${current} -> ${decision.desired}${also.length ? ` and ${also.join(' and ')}` : ''}`;
  }
  if (minimum)
    return `would raise the ${minimum} of ${name} (desired already ${current})${resume ? ` and ${resume}` : ''}`;
  return calls.resume
    ? `would resume the suspended scale-out and scheduled scaling of ${name} (desired already ${current})`
    : null;
}
