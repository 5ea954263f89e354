import { stepHandlers } from '../handlers/index.js';
import type { FailoverPlan } from '../plan/schema.js';
import type { CloudSnapshot, SimulatedCloud } from '../sim/cloud.js';
import { lambdaContext, type TaskRecord } from './bindings.js';
import { eventsPerExecution } from './event-invariants.js';
import { type DrillOptions, type DrillResult, startDrill } from './run-drill.js';
import type { DrillScenario } from './scenarios.js';
import {
  answeredRegions,
  databasesIn,
  MUTATING_COMMAND,
  recordCloud,
  settle,
  settledInvariants,
} from './settled-invariants.js';

/**
 * Safety invariants checked by reading the simulated cloud itself, never the orchestrator's own
 * account of what it did. Two writers serving is checked at every change of the cloud, not only
 * at the end; the rest once every execution has ended.
 */

export const INVARIANTS = [
  'single-writer-serving',
  'report-per-execution',
  'nothing-changed-without-failover',
  'idempotent-steps',
  'timeline-complete',
  'never-worse',
  'success-means-served',
  'report-matches-cloud',
  'no-silent-lock',
  'events-per-execution',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

/** One way an invariant was broken: `kind` names the class (campaigns group violations by it). */
export interface Problem {
  kind: string;
  detail: string;
}

export interface InvariantResult {
  name: InvariantName;
  held: boolean;
  detail: string;
  /** Each way it was broken, when the check tells them apart. */
  problems?: Problem[];
}

/** Functions whose re-run must change nothing once they have succeeded. */
const MUTATING_FUNCTIONS = new Set([
  'fenceOldPrimary',
  'promoteDatabase',
  'scaleTarget',
  'shiftTraffic',
  'drainTraffic',
  'detachTarget',
]);
const NON_ACTING = new Set(['no-action', 'dry-run', 'not-approved', 'suppressed']);
const TERMINAL_PHASES = new Set([
  'succeeded',
  'skipped',
  'unconfirmed',
  'failed',
  'no-action',
  'dry-run',
  'suppressed',
]);

/**
 * Regions whose database accepts writes while users reach them (DNS and running tasks). With
 * several databases each is judged on its own (two writers of one database is the harm; two
 * databases writing in different regions is a split, which never-worse judges): the answer is
 * the worst database's.
 */
export function writersServing(snapshot: CloudSnapshot, plan: FailoverPlan): string[] {
  const regions = [plan.regions.primary, plan.regions.standby];
  // What the name servers answer, as never-worse reads it (weights, health, all-zero weights).
  const answered = answeredRegions(snapshot.dns, plan);
  const perDatabase = databasesIn(snapshot).map((db) =>
    regions.filter((region) => {
      const writes = db.members.some((m) => m.region === region && m.acceptsWrites);
      const running = snapshot.services.some((s) => s.region === region && s.running > 0);
      const reached = answered.some((rs) => rs.includes(region));
      return writes && running && reached;
    }),
  );
  return perDatabase.reduce((worst, rs) => (rs.length > worst.length ? rs : worst), perDatabase[0] ?? []);
}

/** What a step could change: who writes, what runs where (desired, minimum), where DNS points. */
function material(s: CloudSnapshot): string {
  return JSON.stringify({
    databases: databasesIn(s).map((db) => ({
      members: db.members.map((m) => [m.region, m.isWriter, m.acceptsWrites]),
      failoverState: db.failoverState,
    })),
    services: s.services.map((x) => [x.region, x.service, x.desired, x.minCapacity]),
    dns: s.dns.map((d) => [d.setIdentifier, d.value, d.weight]),
  });
}

export interface InvariantWatch {
  /** Runs the end-of-run checks; re-runs steps on the drill's virtual clock. */
  finish(result: DrillResult): Promise<InvariantResult[]>;
}

/** Runs one drill under the invariant checker; the real clock is given back before it returns. */
export async function checkedDrill(
  scenario: DrillScenario,
  seed: number,
  options: Omit<DrillOptions, 'seed' | 'onCloud'> = {},
): Promise<{ result: DrillResult; checks: InvariantResult[] }> {
  let watch: InvariantWatch | undefined;
  // The checker's own re-runs of steps are not part of the drill's timeline.
  let live = true;
  const onTimeline = options.onTimeline;
  const result = await startDrill(scenario, {
    ...options,
    ...(onTimeline ? { onTimeline: (events) => live && onTimeline(events) } : {}),
    seed,
    onCloud: (cloud, plan) => {
      watch = watchInvariants(cloud, plan);
    },
  });
  live = false;
  try {
    return { result, checks: (await watch?.finish(result)) ?? [] };
  } finally {
    result.release();
  }
}

export function watchInvariants(cloud: SimulatedCloud, plan: FailoverPlan): InvariantWatch {
  const twoWriters: string[] = [];
  const check = (snapshot: CloudSnapshot) => {
    const serving = writersServing(snapshot, plan);
    if (serving.length > 1 && twoWriters.length < 5)
      twoWriters.push(`${snapshot.at}: ${serving.join(' and ')}`);
  };
  check(cloud.snapshot());
  cloud.onChange(check);
  const recorded = recordCloud(cloud);

  return {
    async finish(result) {
      // Judge the cloud once it has settled (DNS changes in flight reach the name servers), and
      // before the idempotency re-runs below add calls of their own.
      await settle(result);
      const settled = result.cloud.snapshot();
      check(settled);
      recorded.stop();
      const strong = settledInvariants(plan, result, recorded.states, [...result.cloud.calls], settled);
      return [
        {
          name: 'single-writer-serving',
          held: twoWriters.length === 0,
          detail:
            twoWriters.length === 0
              ? 'never two writers serving'
              : `two writers serving at ${twoWriters.join('; ')}`,
        },
        reportPerExecution(result),
        nothingChangedWithoutFailover(result),
        await idempotentSteps(result),
        timelineComplete(result),
        ...strong,
        eventsPerExecution(result, process.env.AWS_REGION ?? ''),
      ];
    },
  };
}

function reportPerExecution(result: DrillResult): InvariantResult {
  const missing = result.executions.filter((e) => e.report === null).map((e) => e.name);
  return {
    name: 'report-per-execution',
    held: missing.length === 0,
    detail:
      missing.length === 0
        ? `${result.executions.length} execution(s), each with a report`
        : `no report: ${missing.join(', ')}`,
  };
}

/** Refused by check-readiness: it stopped before any change, whatever its outcome says. */
const refusedByReadiness = (report: DrillResult['report']) =>
  report?.outcome === 'failed' && report.readiness.ready === false;

function nothingChangedWithoutFailover(result: DrillResult): InvariantResult {
  const acted = result.executions.some(
    (e) => !NON_ACTING.has(e.report?.outcome ?? 'failed') && !refusedByReadiness(e.report),
  );
  if (acted)
    return {
      name: 'nothing-changed-without-failover',
      held: true,
      detail: 'an execution acted: not applicable',
    };
  const changes = result.cloud.calls.filter((c) => MUTATING_COMMAND.test(c.command) && c.outcome === 'ok');
  return {
    name: 'nothing-changed-without-failover',
    held: changes.length === 0,
    detail:
      changes.length === 0
        ? 'no change was sent'
        : `changed anyway: ${changes.map((c) => c.command).join(', ')}`,
  };
}

/** Re-runs the last successful invocation of every mutating step; the cloud must not change. */
/**
 * A repeat that Lambda or Step Functions could make follows its own invocation, before anything
 * later in the execution. Re-run at the end, three kinds cannot tell a repeat from work left
 * outstanding on purpose, so they are not re-run: the changing steps of an execution that ran its
 * rollback (a re-run after it redoes what was undone), a fencing whose calls did not get
 * through (the re-run does the work the report asks a human to do once the region answers), and
 * a promotion or detach with a database refused while the others moved (the re-run sends the
 * move the report hands to a human).
 */
/** Steps that set ECS counts or scaling bounds: the owner's own scaling can undo what they did. */
const ECS_FUNCTIONS = new Set(['fenceOldPrimary', 'scaleTarget', 'rollBack']);

function rerunJudgeable(
  execution: DrillResult['executions'][number],
  record: TaskRecord,
  ownersScaling: readonly { at: number; kind: string }[] = [],
): boolean {
  // The owner's scheduled action changed the bounds after the step set them (lowered the minimum
  // it raised): a re-run that restores the step's own intent is not a second, conflicting change.
  // Target tracking moves only the count inside the bounds, which a re-run leaves alone.
  if (
    ECS_FUNCTIONS.has(record.functionName) &&
    ownersScaling.some((o) => o.kind === 'scheduled-action' && o.at >= record.startedAt)
  )
    return false;
  const recovery = (execution.report as { recovery?: { kind?: string } } | null)?.recovery;
  if (recovery?.kind === 'rolled-back' || execution.records.some((r) => r.functionName === 'rollBack'))
    return false;
  if (
    (record.functionName === 'promoteDatabase' || record.functionName === 'detachTarget') &&
    record.outcome.kind === 'succeeded'
  ) {
    const databases = (record.outcome.output as { databases?: { action: string }[] }).databases;
    return !(databases ?? []).some((d) => d.action === 'refused');
  }
  if (record.functionName !== 'fenceOldPrimary' || record.outcome.kind !== 'succeeded') return true;
  const fencing = (record.outcome.output as { fencing?: { resource: string; outcome: string }[] }).fencing;
  return !(fencing ?? []).some((f) => f.resource.startsWith('ecs ') && f.outcome === 'unconfirmed');
}

async function idempotentSteps(result: DrillResult): Promise<InvariantResult> {
  const last = new Map<string, DrillResult['records'][number]>();
  for (const execution of result.executions) {
    for (const record of execution.records) {
      if (
        MUTATING_FUNCTIONS.has(record.functionName) &&
        record.outcome.kind === 'succeeded' &&
        rerunJudgeable(execution, record, result.cloud.ownersScaling())
      ) {
        last.set(`${execution.name}/${record.stateName}`, record);
      }
    }
  }
  const changed: string[] = [];
  for (const [key, record] of last) {
    const handler = stepHandlers[record.functionName];
    if (!handler) continue;
    const before = material(result.cloud.snapshot());
    const ownersBefore = result.cloud.ownersScaling().length;
    const sentBefore = result.cloud.calls.filter(
      (c) => MUTATING_COMMAND.test(c.command) && c.outcome === 'ok',
    ).length;
    await result.clock
      // Without its lock token: the lock was released when the execution ended, and the check is
      // about the step's own reads-first logic, not the guard in front of it.
      .runUntilSettled(
        handler(
          { ...(record.input as object), lockToken: undefined },
          lambdaContext(record.functionName, 60_000),
        ),
        600_000,
      )
      .catch(() => undefined); // a re-run may fail (e.g. a deadline passed); only changes matter
    const sentAfter = result.cloud.calls.filter(
      (c) => MUTATING_COMMAND.test(c.command) && c.outcome === 'ok',
    ).length;
    // The owner's scaler acted while the step re-ran (a load surge's target tracking, a
    // schedule): the cloud moved by itself then, so only what the step sent is judged.
    const ownerActed = result.cloud.ownersScaling().length !== ownersBefore;
    if ((!ownerActed && material(result.cloud.snapshot()) !== before) || sentAfter !== sentBefore)
      changed.push(key);
  }
  return {
    name: 'idempotent-steps',
    held: changed.length === 0,
    detail:
      changed.length === 0
        ? `${last.size} step(s) re-run, nothing changed`
        : `re-run changed the cloud: ${changed.join(', ')}`,
  };
}

function timelineComplete(result: DrillResult): InvariantResult {
  const gaps: string[] = [];
  for (const execution of result.executions) {
    // An operator's stop ends an execution where it is, a step still running: its report is
    // the one `failover stop` rebuilds from the history (test/drill/lock-scenarios.test.ts).
    if (execution.status === 'ABORTED') continue;
    const timeline = execution.report?.timeline ?? [];
    const steps = new Set(timeline.map((e) => e.step));
    for (const step of steps) {
      const events = timeline.filter((e) => e.step === step);
      if (!events.some((e) => TERMINAL_PHASES.has(e.phase)))
        gaps.push(`${execution.name}: ${step} never ended`);
    }
    if (timeline.at(-1)?.step !== 'report') gaps.push(`${execution.name}: does not end with the report`);
  }
  return {
    name: 'timeline-complete',
    held: gaps.length === 0,
    detail: gaps.length === 0 ? 'every step started and ended, with its outcome' : gaps.join('; '),
  };
}
