import type { z } from 'zod';
import { describeServiceRefs } from '../aws/ecs.js';
import {
  describeShortfall,
  isScaleSettled,
  isServing,
  type ServiceCounts,
  servingThreshold,
  shiftAtPercent,
} from '../decisions/capacity.js';
import { DeadlineExceededError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import { listed } from '../timeline/lists.js';
import { event, type Facts, type TimelineEvent } from '../timeline/types.js';
import type { CheckScaleOutput, checkScaleInput } from './contracts.js';
import { isDryRun } from './dry-run.js';

interface Observed extends ServiceCounts {
  name: string;
  scaledTo: number;
}

/**
 * Totals, not one fact per service: every poll's event stays in the execution state until the
 * report, and per-service counts for a plan of hundreds of services would outgrow Step Functions'
 * 256 KiB payload (the output's `services` has this poll's per-service counts).
 */
function countFacts(region: string, observed: readonly Observed[]): Facts {
  return {
    region,
    services: observed.length,
    runningTasks: observed.reduce((sum, s) => sum + s.running, 0),
    desiredTasks: observed.reduce((sum, s) => sum + s.desired, 0),
  };
}

/**
 * The running total this phase last recorded. Only the timeline travels between polls, so it
 * lives in its facts; a poll records a new event only when the total moved.
 */
function lastRunningTasks(timeline: readonly TimelineEvent[]): number | undefined {
  for (let i = timeline.length - 1; i >= 0; i--) {
    const event = timeline[i];
    const running = event?.facts?.runningTasks;
    if (event?.step === 'scale-target' && typeof running === 'number') return running;
  }
  return undefined;
}

/**
 * One poll of the scale-up: done when every service runs what scale-target asked for and has
 * settled. Polled by the state machine (a Wait state between polls), never by sleeping here.
 *
 * After a dry run's scale-target nothing was scaled, so there is nothing to observe: done at
 * once, without reading AWS, and no counts (none were observed).
 */
export async function checkScale(
  input: z.infer<typeof checkScaleInput>,
  deps: StepDeps,
): Promise<CheckScaleOutput> {
  const { request, scale, previous } = input;
  const now = deps.now();
  if (scale.dryRun === true || isDryRun(request)) {
    return {
      done: true,
      services: [],
      timeline: [
        ...(previous?.timeline ?? []),
        event(now, 'scale-target', 'dry-run', 'dry run: no ECS service was scaled; nothing to wait for'),
      ],
    };
  }
  const region = request.targetRegion;
  const { ecs } = deps.clients.forRegion(region);

  const states = await describeServiceRefs(ecs, scale.services);
  const observed: Observed[] = scale.services.map((s, i) => {
    const state = states[i];
    return {
      name: s.name,
      scaledTo: s.desired,
      desired: state?.desired ?? 0,
      running: state?.running ?? 0,
      pending: state?.pending ?? 0,
      deployments: state?.deployments ?? 0,
    };
  });
  const percent = shiftAtPercent(request.mode, deps.plan);
  const settled = observed.every((s) => isScaleSettled(s.scaledTo, s));
  const done = observed.every((s) => isServing(s.scaledTo, s, percent));
  const timeline = [...(previous?.timeline ?? [])];

  if (settled) {
    timeline.push(
      event(
        now,
        'scale-target',
        'succeeded',
        `all ${observed.length} ECS services running in ${region}`,
        countFacts(region, observed),
      ),
    );
  } else if (done) {
    timeline.push(
      event(
        now,
        'scale-target',
        'succeeded',
        `every ECS service in ${region} runs at least ${percent}% of its count (plan capacity.shiftAtPercent): traffic may move; the rest keep starting (${listed(observed.filter((s) => s.running < s.scaledTo).map((s) => `${s.name} ${s.running} of ${s.scaledTo}`))})`,
        { ...countFacts(region, observed), shiftAtPercent: percent },
      ),
    );
  } else {
    const short = observed.filter((s) => !isServing(s.scaledTo, s, percent));
    const wanted = (s: Observed) =>
      percent < 100 ? ` (traffic moves at ${servingThreshold(s.scaledTo, percent)})` : '';
    if (now.getTime() > Date.parse(scale.deadline)) {
      throw new DeadlineExceededError(
        `ECS services in ${region} did not reach their counts by ${scale.deadline}: ` +
          `${listed(
            short.map((s) => `${s.name} (${describeShortfall(s.scaledTo, s)})`),
            '; ',
          )}. ` +
          `Likely not enough capacity in ${region} (every tenant fails over at once): check the services' events ` +
          `for tasks that cannot be placed or keep stopping, Fargate/EC2 capacity, service quotas on running tasks, ` +
          `and image pulls and health checks in ${region}.`,
      );
    }
    const facts = countFacts(region, observed);
    const before = lastRunningTasks(timeline);
    if (before === undefined || before !== facts.runningTasks) {
      timeline.push(
        event(
          now,
          'scale-target',
          'progress',
          `waiting for ${short.length === observed.length ? '' : `${short.length} of ${observed.length} services: `}${listed(
            short.map((s) => `${s.name} (${describeShortfall(s.scaledTo, s)})${wanted(s)}`),
            '; ',
          )}`,
          facts,
        ),
      );
    }
  }

  return {
    done,
    services: observed.map((s) => ({
      name: s.name,
      desired: s.desired,
      running: s.running,
      deployments: s.deployments,
    })),
    timeline,
  };
}
