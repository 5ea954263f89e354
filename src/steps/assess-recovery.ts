import type { z } from 'zod';
import { withinDeadline } from '../aws/bounded.js';
import { describeServiceRefs } from '../aws/ecs.js';
import { lockTable, readComputeFailure } from '../aws/lock.js';
import { describeCluster, describeGlobalCluster } from '../aws/rds.js';
import { isTransientAwsError } from '../aws/translate.js';
import { locateService } from '../decisions/capacity.js';
import { FailoverError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import { type DatabasePlan, databasesOf } from '../plan/databases.js';
import type { AssessRecoveryOutput, assessRecoveryInput } from '../recovery/contracts.js';
import { decideRecovery, type WriterObservation } from '../recovery/decide.js';
import { dnsHandOver } from '../recovery/hand-over.js';
import { type DatabaseWriter, splitHandOver, writersVerdict } from '../recovery/split.js';
import { event } from '../timeline/types.js';

const STEP = 'assess-recovery';
/** Each read of this step gives up after this long: recovery looks again rather than hang. */
const READ_BOUND_MS = 15_000;

/**
 * Every failure of the workflow comes here before the report: where is the writer now? The
 * answer decides between rolling back (the writer never moved), rolling forward (it did:
 * traffic must follow it) and waiting (it is moving). Reads only; the decision is pure
 * (src/recovery/decide.ts) and goes on the timeline with its reason.
 */
export async function assessRecovery(
  input: z.infer<typeof assessRecoveryInput>,
  deps: StepDeps,
): Promise<AssessRecoveryOutput> {
  const { request, phase, previous } = input;
  const now = deps.now();
  // The three reads run side by side, each bounded, so one invocation stays well inside its
  // Lambda timeout even when the orchestrator's own region does not answer.
  const [writer, noted, targetCapacity] = await Promise.all([
    request.dryRun
      ? { kind: 'source' as const, detail: 'dry run: not read', databases: [] }
      : observeWriters(request.sourceRegion, request.targetRegion, deps, detachSent(input)),
    phase === 'take-over' && !request.dryRun ? notedComputeFailure(request, deps) : null,
    readTargetCapacity(request.targetRegion, deps),
  ]);
  const firstAssessedAt = previous?.firstAssessedAt ?? now.toISOString();
  const reshifts = previous?.reshifts ?? 0;
  const verdict = decideRecovery({
    writer: writer.kind,
    phase,
    dryRun: request.dryRun === true,
    reshifts,
    waitedMs: now.getTime() - Date.parse(firstAssessedAt),
    refusedBySafetyRule: input.failure?.Error === 'SafetyRuleRefusedError',
  });
  const failures = [...(previous?.failures ?? [])];
  for (const failure of [...failuresOf(input), ...(noted ? [noted] : [])]) {
    if (!failures.some((f) => f.error === failure.error && f.cause === failure.cause)) failures.push(failure);
  }
  // Stopping after the writer moved with traffic left behind: hand the record changes over.
  const controlPlaneSilent = [...failures, ...(input.failure ? [{ error: input.failure.Error }] : [])].some(
    (f) => f.error === 'ControlPlaneUnavailableError',
  );
  const handOver = [
    ...(verdict.decision === 'stop' &&
    (writer.kind === 'target' || writer.kind === 'split') &&
    controlPlaneSilent
      ? dnsHandOver(deps.plan, request.sourceRegion, request.targetRegion)
      : []),
    // Databases left writing in the source once the others moved: never silently.
    ...(writer.kind === 'split' ? splitHandOver(deps.plan, request, writer.databases) : []),
    // Stopping without knowing where every database writes: they may be split, say which to check.
    ...(verdict.decision === 'stop' &&
    writer.databases.length > 1 &&
    writer.kind !== 'split' &&
    writer.kind !== 'target'
      ? [
          `Several databases: where each one writes is not established (${writer.detail}). Check every one before anything else, they may be split between ${request.sourceRegion} and ${request.targetRegion}: aws rds describe-global-clusters --region ${request.targetRegion} --query 'GlobalClusters[].[GlobalClusterIdentifier,GlobalClusterMembers[?IsWriter].DBClusterArn]' (runbooks/failure-paths.md, section Databases split).`,
        ]
      : []),
  ];
  const countsAsReshift = verdict.decision === 'shift' && (phase === 'traffic' || phase === 'verify');
  return {
    decision: verdict.decision,
    why: verdict.why,
    writer: writer.kind,
    ...(writer.databases.length > 1
      ? {
          databases: writer.databases.map(({ id, kind, detail }) => ({
            globalClusterIdentifier: id,
            writer: kind,
            detail,
          })),
        }
      : {}),
    phase,
    reshifts: countsAsReshift ? reshifts + 1 : reshifts,
    firstAssessedAt,
    failures,
    targetCapacity,
    handOver,
    timeline: [
      ...(previous?.timeline ?? []),
      ...(computeStopped(input)
        ? [
            event(
              now,
              'scale-target',
              'unconfirmed',
              `stopped with the take-over when the database branch failed; ${request.targetRegion} then: ${targetCapacity.join(', ')}`,
            ),
          ]
        : []),
      event(
        deps.now(),
        STEP,
        verdict.decision === 'stop' ? 'failed' : verdict.decision === 'wait' ? 'progress' : 'succeeded',
        `${phase} failed; writer: ${writer.detail}; ${verdict.decision}: ${verdict.why}`,
        { decision: verdict.decision, writer: writer.kind, phase, reshifts },
      ),
    ],
  };
}

/**
 * Whether DetachTarget sent (or found) a removal of each database's target, by global cluster
 * (its output in the take-over state; an output without a list speaks for every database).
 */
function detachSent(input: z.infer<typeof assessRecoveryInput>): (id: string) => boolean {
  const takeover = input.takeover as
    | { detach?: { action?: unknown; databases?: { globalClusterIdentifier?: unknown; action?: unknown }[] } }
    | null
    | undefined;
  const sent = (action: unknown) => action === 'detached' || action === 'already-detached';
  const listed = takeover?.detach?.databases;
  if (!Array.isArray(listed)) return () => sent(takeover?.detach?.action);
  return (id) => listed.some((d) => d.globalClusterIdentifier === id && sent(d.action));
}

/**
 * The compute branch was stopped by the database branch's failure: the take-over state carries
 * only the placeholder for its scale-up (statemachines/failover.asl.json RestoreTakeOver).
 */
function computeStopped(input: z.infer<typeof assessRecoveryInput>): boolean {
  if (input.phase !== 'take-over' || input.previous) return false;
  const takeover = input.takeover as { databaseFailure?: unknown; scaleStatus?: { done?: unknown } } | null;
  return Boolean(takeover?.databaseFailure) && takeover?.scaleStatus?.done !== true;
}

/** The failure(s) that brought the execution here, each named by its phase. */
function failuresOf(input: z.infer<typeof assessRecoveryInput>): AssessRecoveryOutput['failures'] {
  const found: AssessRecoveryOutput['failures'] = [];
  const add = (phase: AssessRecoveryOutput['phase'], f: unknown) => {
    const failure = f as { Error?: unknown; Cause?: unknown } | null | undefined;
    if (!failure || typeof failure.Error !== 'string') return;
    found.push({ phase, error: failure.Error, cause: causeText(failure.Cause) });
  };
  const takeover = input.takeover as
    | { databaseFailure?: unknown; computeFailure?: unknown }
    | null
    | undefined;
  add('take-over', takeover?.databaseFailure);
  add('take-over', takeover?.computeFailure);
  add(input.phase, input.failure);
  return found;
}

/** The compute branch's failure as noted on the lock item (see src/aws/lock.ts), when there is one. */
async function notedComputeFailure(
  request: z.infer<typeof assessRecoveryInput>['request'],
  deps: StepDeps,
): Promise<AssessRecoveryOutput['failures'][number] | null> {
  try {
    const table = lockTable();
    const note = await readComputeFailure(
      deps.clients.forRegion(table.region).dynamodb,
      table,
      request.planName,
      request.executionName,
    );
    return note ? { phase: 'take-over', error: note.error, cause: note.cause } : null;
  } catch {
    return null;
  }
}

/** Lambda puts {errorMessage, ...} in Cause; keep the message, bounded for the payload. */
function causeText(cause: unknown): string {
  const text = typeof cause === 'string' ? cause : '';
  try {
    const parsed = JSON.parse(text) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage.slice(0, 2000);
  } catch {
    // plain text
  }
  return text.slice(0, 2000);
}

/**
 * The target's capacity as the cloud shows it, per service: what the compute branch achieved.
 * When the database branch failed, Step Functions stopped the compute branch with it and its own
 * account (even its error) did not reach the state: this read is the report's evidence of it.
 */
async function readTargetCapacity(target: string, deps: StepDeps): Promise<string[]> {
  try {
    const refs = deps.plan.services.map((s) => locateService(s, target));
    const answered = await withinDeadline(
      (abortSignal) => describeServiceRefs(deps.clients.forRegion(target).ecs, refs, { abortSignal }),
      READ_BOUND_MS,
    );
    if (answered === 'silence')
      return [`unreadable: ${target} did not answer within ${READ_BOUND_MS / 1000} s`];
    const states = answered.value;
    return states.map((s, i) => {
      const active = deps.plan.services[i]?.activeCount ?? 0;
      const verdict =
        s.desired < active
          ? `not scaled up (desired ${s.desired} of ${active})`
          : s.running < active
            ? `short (${s.running} of ${active} running)`
            : 'at capacity';
      return `${s.service} ${s.running}/${s.desired}: ${verdict}`;
    });
  } catch (error) {
    return [`unreadable: ${(error as Error).message}`];
  }
}

type Observed = { kind: WriterObservation; detail: string };

/**
 * Where every database's writer is; one verdict for them all (writersVerdict): the point of no
 * return is passed as soon as any database's writer moved.
 */
async function observeWriters(
  source: string,
  target: string,
  deps: StepDeps,
  detaching: (id: string) => boolean,
): Promise<Observed & { databases: DatabaseWriter[] }> {
  const databases = databasesOf(deps.plan);
  const observed = await Promise.all(
    databases.map((db) => observeWriter(db, source, target, deps, detaching(db.globalClusterIdentifier))),
  );
  const each = observed.map((o, i) => ({ ...o, id: databases[i]?.globalClusterIdentifier ?? '' }));
  const only = each[0];
  if (each.length === 1 && only) return { kind: only.kind, detail: only.detail, databases: each };
  return { ...writersVerdict(each), databases: each };
}

/** Where one database's writer is, read through the target's RDS endpoint (it answers: it is ours). */
async function observeWriter(
  database: DatabasePlan,
  source: string,
  target: string,
  deps: StepDeps,
  detaching = false,
): Promise<Observed> {
  const rds = deps.clients.forRegion(target).rds;
  const targetArn = database.members[target] ?? '';
  const sourceArn = database.members[source] ?? '';
  const read = async (signal: AbortSignal): Promise<Observed> => {
    const view = await describeGlobalCluster(rds, database.globalClusterIdentifier, {
      abortSignal: signal,
    });
    if (!view.members.some((m) => m.arn === targetArn)) {
      // Detached by the fallback: the target writes on its own once it has a writer instance.
      const cluster = await describeCluster(rds, targetArn, { abortSignal: signal });
      return cluster.writerInstances.length > 0
        ? { kind: 'target' as const, detail: `${target} detached from the global cluster and writing` }
        : {
            kind: 'moving' as const,
            detail: `${target} detached, ${cluster.status}, no writer instance yet`,
          };
    }
    if (view.failoverState) {
      return {
        kind: 'moving' as const,
        detail: `FailoverState ${view.failoverState.status} (${view.failoverState.fromArn ?? '?'} -> ${view.failoverState.toArn ?? '?'})`,
      };
    }
    if (detaching && !view.members.some((m) => m.arn === targetArn && m.isWriter)) {
      // RemoveFromGlobalCluster was sent: asynchronous, and DescribeGlobalClusters is eventually
      // consistent, so a target still listed may already be leaving. Its own read is current.
      const cluster = await describeCluster(rds, targetArn, { abortSignal: signal });
      if (cluster.globalClusterIdentifier === null || cluster.status !== 'available') {
        return cluster.writerInstances.length > 0 && cluster.globalClusterIdentifier === null
          ? { kind: 'target' as const, detail: `${target} detached from the global cluster and writing` }
          : {
              kind: 'moving' as const,
              detail: `${target} detached, ${cluster.status}, no writer instance yet`,
            };
      }
      return {
        kind: 'moving' as const,
        detail: `${target} still listed in the global cluster, being removed (RemoveFromGlobalCluster was sent)`,
      };
    }
    const writers = view.members.filter((m) => m.isWriter);
    if (writers.length !== 1) return { kind: 'none' as const, detail: `${writers.length} writer(s) listed` };
    const arn = writers[0]?.arn;
    if (arn === targetArn) return { kind: 'target' as const, detail: `${target} is the global writer` };
    if (arn === sourceArn) return { kind: 'source' as const, detail: `${source} is still the global writer` };
    return { kind: 'none' as const, detail: `writer ${arn} is not one of the plan's members` };
  };
  try {
    const answered = await withinDeadline(read, READ_BOUND_MS);
    if (answered === 'silence') {
      return {
        kind: 'silent',
        detail: `DescribeGlobalClusters in ${target} did not answer within ${READ_BOUND_MS / 1000} s`,
      };
    }
    return answered.value;
  } catch (error) {
    // A throttle, a 5xx or silence from our own region: look again after a pause (the state
    // machine's WaitBeforeReassess), bounded like the wait for a moving writer; a refusal is an answer.
    if ((error instanceof FailoverError && error.transient) || isTransientAwsError(error)) {
      return {
        kind: 'silent',
        detail: `DescribeGlobalClusters in ${target} did not get through: ${(error as Error).message}`,
      };
    }
    return {
      kind: 'unreadable',
      detail: `DescribeGlobalClusters in ${target} failed: ${(error as Error).message}`,
    };
  }
}
