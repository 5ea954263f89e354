import { STEP_RETRY_BUDGET_MS } from '../aws/retry.js';
import { changeRecords } from '../aws/route53.js';
import { readPlanRecords, viaControlPlane } from '../aws/route53-control-plane.js';
import { type DrainShift, decideDrainPlan, decideDrainRecord } from '../decisions/drain.js';
import { upsertsByZone } from '../decisions/traffic.js';
import { PlanInvalidError, TargetNotReadyError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import { event, type TimelineEvent } from '../timeline/types.js';
import type { DrainTrafficInput, DrainTrafficOutput } from './contracts-operators.js';
import { isDryRun, wouldDo } from './dry-run.js';

const STEP = 'drain-traffic';

/**
 * One step of the gradual drain of a planned move: the source's weighted records go down to the
 * plan's next weight and the target's up to the rest (decisions/drain.ts explains the weights).
 * The state machine waits `waitSeconds` between invocations, so the drain never sleeps in a
 * Lambda. Each record is read first; a re-run that finds this step's weights sends nothing.
 *
 * Both regions serve while the drain runs, so both must reach the current writer: the step
 * refuses unless the plan says the services write through the global writer endpoint.
 */
export async function drainTraffic(input: DrainTrafficInput, deps: StepDeps): Promise<DrainTrafficOutput> {
  const { request, previous } = input;
  const now = deps.now();
  const timeline: TimelineEvent[] = [...previous.timeline];
  const decision = decideDrainPlan(request, deps.plan, previous.stepIndex);

  if (decision.kind === 'refuse') {
    // A dry run records the refusal as its finding and lets the later steps show theirs.
    if (isDryRun(request)) {
      timeline.push(
        wouldDo(now, STEP, `would stop here with ${decision.error}, sending nothing: ${decision.reason}`, {
          action: 'refuse',
          reason: decision.reason,
        }),
      );
      return nothingToDrain(timeline, true);
    }
    if (decision.error === 'PlanInvalidError')
      throw new PlanInvalidError(`${STEP}: ${decision.reason}`, [decision.reason]);
    throw new TargetNotReadyError(`${STEP}: ${decision.reason}`);
  }
  if (decision.kind === 'skip') {
    timeline.push(event(now, STEP, 'skipped', `no gradual drain: ${decision.reason}`));
    return nothingToDrain(timeline, request.dryRun);
  }
  if (decision.kind === 'complete') {
    timeline.push(
      event(
        now,
        STEP,
        'skipped',
        `every drain step was already applied; ${request.sourceRegion} keeps ${decision.sourceWeight} %`,
        {
          stepIndex: decision.index,
          sourceWeight: decision.sourceWeight,
        },
      ),
    );
    return {
      done: true,
      stepIndex: decision.index,
      sourceWeight: decision.sourceWeight,
      targetWeight: decision.targetWeight,
      waitSeconds: 0,
      changeIds: [],
      ...(isDryRun(request) ? { dryRun: true as const } : {}),
      timeline,
    };
  }

  const route53 = deps.clients.route53();
  const records = deps.plan.dns.records;
  // A drain is a planned move: a silent control plane is a transient error, never an outage.
  const controlPlane = {
    plan: deps.plan,
    route53,
    sourceRegion: request.sourceRegion,
    targetRegion: request.targetRegion,
    mode: request.mode,
    deadline: Date.now() + STEP_RETRY_BUDGET_MS,
  };
  const current = await readPlanRecords(deps.plan, route53, request.sourceRegion, controlPlane);
  const shifts = records.map((record, i) =>
    decideDrainRecord(
      record,
      current[i] ?? [],
      request.sourceRegion,
      request.targetRegion,
      decision.sourceWeight,
    ),
  );

  const stepLabel = `step ${decision.index + 1}/${decision.of}`;
  const changeIds = new Map<string, string>();
  if (!isDryRun(request)) {
    const comment = `drain ${request.executionName} ${stepLabel}: ${request.sourceRegion} ${decision.sourceWeight} % -> ${request.targetRegion} ${decision.targetWeight} % (planned)`;
    const sent = await viaControlPlane(controlPlane, (abortSignal) =>
      Promise.all(
        [...upsertsByZone(shifts)].map(
          async ([zone, upserts]) =>
            [zone, await changeRecords(route53, zone, upserts, comment, { abortSignal })] as const,
        ),
      ),
    );
    for (const [zone, id] of sent) changeIds.set(zone, id);
  }

  const maxTtl = Math.max(0, ...shifts.map((s) => s.ttlSeconds));
  const ttlNote =
    decision.intervalSeconds < maxTtl
      ? `; the interval (${decision.intervalSeconds} s) is shorter than the TTL (${maxTtl} s), so clients may still hold the previous step's answer`
      : '';
  const recordEvents = shifts.map((shift) =>
    recordEvent(now, shift, stepLabel, changeIds.get(shift.record.hostedZoneId) ?? null, request.dryRun),
  );
  const summary = `${stepLabel}: ${request.sourceRegion} ${decision.sourceWeight} % / ${request.targetRegion} ${decision.targetWeight} % of DNS answers`;
  const facts = {
    stepIndex: decision.index,
    sourceWeight: decision.sourceWeight,
    targetWeight: decision.targetWeight,
    intervalSeconds: decision.intervalSeconds,
    maxTtlSeconds: maxTtl,
  };
  // The first step starts the phase and the last ends it, so the report can time the drain.
  const phase = isDryRun(request)
    ? 'dry-run'
    : decision.last
      ? 'succeeded'
      : decision.index === 0
        ? 'started'
        : 'progress';
  const message = decision.last
    ? `${summary}: last drain step; the cut to 0 % follows the switchover${ttlNote}`
    : `${summary}; next step in ${decision.intervalSeconds} s${ttlNote}`;
  const stepEvent = event(now, STEP, phase, message, facts);
  // The summary opens the step's events and, on the last step, closes the drain.
  if (decision.last) timeline.push(...recordEvents, stepEvent);
  else timeline.push(stepEvent, ...recordEvents);

  return {
    done: decision.last,
    stepIndex: decision.index,
    sourceWeight: decision.sourceWeight,
    targetWeight: decision.targetWeight,
    waitSeconds: decision.intervalSeconds,
    changeIds: [...new Set(changeIds.values())],
    ...(isDryRun(request) ? { dryRun: true as const } : {}),
    timeline,
  };
}

function nothingToDrain(timeline: TimelineEvent[], dryRun: boolean | undefined): DrainTrafficOutput {
  return {
    done: true,
    stepIndex: -1,
    sourceWeight: null,
    targetWeight: null,
    waitSeconds: 0,
    changeIds: [],
    ...(dryRun === true ? { dryRun: true as const } : {}),
    timeline,
  };
}

function recordEvent(
  now: Date,
  shift: DrainShift,
  stepLabel: string,
  changeId: string | null,
  dryRun: boolean | undefined,
): TimelineEvent {
  const label = `${shift.record.name} ${shift.record.type}`;
  const facts = {
    record: label,
    from: shift.from,
    to: shift.to,
    changeId,
    sourcePercentBefore: shift.sourcePercentBefore,
  };
  if (shift.state === 'already') {
    return event(
      now,
      STEP,
      'skipped',
      `${stepLabel}: ${label} already at ${shift.from}; nothing sent`,
      facts,
    );
  }
  if (shift.state === 'ahead') {
    return event(
      now,
      STEP,
      'skipped',
      `${stepLabel}: ${label} already gives the source ${shift.sourcePercentBefore} % (${shift.from}); a drain never moves answers back`,
      facts,
    );
  }
  if (dryRun === true) {
    return wouldDo(now, STEP, `would set ${label}: ${shift.from} -> ${shift.to} (${stepLabel})`, facts);
  }
  return event(
    now,
    STEP,
    'progress',
    `${stepLabel}: ${label}: ${shift.from} -> ${shift.to} (change ${changeId})`,
    facts,
  );
}
