import { type DescribeExecutionCommandOutput, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { type OperatorReleaseResult, releaseStoppedLock } from '../../aws/lock-operator.js';
import { renderReport } from '../../report/render.js';
import { executionName, StepFunctions } from '../aws.js';
import { CliError } from '../errors.js';
import { reportOf, snapshot } from '../execution.js';
import type { CliIo } from '../io.js';
import {
  LOCK_TABLE_OPTION,
  lockClient,
  lockTableName,
  onLockTable,
  regionOfExecution,
  stopLockLines,
  withLockAfterStop,
} from '../lock.js';
import { parseCommand, positionals, required } from '../options.js';

/** The error name a stopped execution carries: on-call and the report tell it from a failure. */
export const STOPPED_BY_OPERATOR = 'StoppedByOperator';

/**
 * StopExecution is synchronous for Standard workflows ("stops an execution", API reference), so
 * the first read normally says ABORTED; a few reads a second apart cover a slow one. The lock is
 * only freed once a read says ABORTED: freeing it under a running execution lets a second in.
 */
const CONFIRM_READS = 5;
const CONFIRM_INTERVAL_MS = 1000;

export async function stop(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals: given } = parseCommand('stop', argv, {
    reason: { type: 'string' },
    by: { type: 'string' },
    ...LOCK_TABLE_OPTION,
  });
  const [ref] = positionals('stop', given, ['EXECUTION']);
  const execution = required('stop', ref, 'EXECUTION');
  const reason = required('stop', values.reason, '--reason TEXT');
  const by = required('stop', values.by, '--by WHO');
  const sfn = new StepFunctions(io, values);
  const arn = await sfn.executionArn(execution);
  const name = executionName(arn);

  const before = await sfn.describe(arn);
  const cause = `stopped by ${by}: ${reason}`;
  let confirmed: DescribeExecutionCommandOutput;
  if (before.status === 'RUNNING') {
    await sfn.call(
      'StopExecution',
      () =>
        sfn.client.send(new StopExecutionCommand({ executionArn: arn, error: STOPPED_BY_OPERATOR, cause })),
      { execution: name },
    );
    confirmed = await confirmAborted(sfn, arn);
  } else if (before.status === 'ABORTED') {
    // Running stop again is how a lock left by an earlier stop (or a console stop) is freed.
    confirmed = before;
  } else {
    throw new CliError(
      `execution ${name} has already ended (${before.status}): nothing to stop; see failover report ${name}`,
    );
  }

  const snap = await snapshot(sfn, arn);
  // Should a read still say RUNNING, the report is built for the stop that was just accepted.
  const described =
    snap.described.status === 'RUNNING'
      ? { ...snap.described, status: 'ABORTED' as const, error: STOPPED_BY_OPERATOR, cause }
      : snap.described;
  const report = reportOf({ ...snap, described });
  const where = snap.at ?? 'its first state';
  io.out(
    before.status !== 'RUNNING'
      ? `${name} was already stopped at ${where} (${before.cause ?? before.error ?? 'ABORTED'}); checking its lock.`
      : confirmed.status === 'ABORTED' || confirmed.status === 'RUNNING'
        ? `Stopped ${name} at ${where} (${cause}).`
        : `${name} ended on its own (${confirmed.status}) at ${where} as the stop came; nothing was stopped.`,
  );
  // The execution is stopped whatever happens to the lock: a failure there (access denied, wrong
  // table) is said on stderr, and the report that says what to check is printed all the same.
  let lock: Awaited<ReturnType<typeof lockAfterStop>> = { lines: [], result: null };
  let lockError: string | null = null;
  try {
    lock = await lockAfterStop(sfn, values['lock-table'], arn, report.planName, confirmed, { by, reason });
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    lockError = error.message;
    lock.lines = [`Lock: not checked (${lockError}); once fixed, run failover stop ${name} again.`];
  }
  for (const line of lock.lines) io.out(line);
  io.out('');
  io.out(renderReport(lock.result ? withLockAfterStop(report, lock.result, by) : report));
  if (lockError) {
    io.err(`failover stop: ${lockError}`);
    return 1;
  }
  return 0;
}

/** The last read: ABORTED once the stop took, RUNNING if it never showed, or how it ended on its own. */
async function confirmAborted(sfn: StepFunctions, arn: string): Promise<DescribeExecutionCommandOutput> {
  for (let read = 1; ; read++) {
    const described = await sfn.describe(arn);
    if (described.status !== 'RUNNING' || read >= CONFIRM_READS) return described;
    await sfn.io.sleep(CONFIRM_INTERVAL_MS);
  }
}

/** Frees the plan's lock when the stopped execution holds it; says what it found either way. */
async function lockAfterStop(
  sfn: StepFunctions,
  givenTable: string | undefined,
  arn: string,
  plan: string | null,
  confirmed: DescribeExecutionCommandOutput,
  who: { by: string; reason: string },
): Promise<{ lines: string[]; result: OperatorReleaseResult | null }> {
  const name = executionName(arn);
  if (confirmed.status === 'RUNNING') {
    const line = `Lock: left alone: Step Functions does not say ${name} is ABORTED yet. Run failover stop ${name} --reason ... --by ... again; once it is, that frees the lock.`;
    return { lines: [line], result: null };
  }
  if (confirmed.status !== 'ABORTED') {
    // It ended on its own as the stop came: its release-lock ran (or its report says why not).
    const line = `Lock: left alone: ${name} ended on its own (${confirmed.status}) before the stop; its report below says where its lock stands.`;
    return { lines: [line], result: null };
  }
  if (plan === null) {
    return { lines: [`Lock: ${name} took no lock (it stopped before its plan was read).`], result: null };
  }
  const region = regionOfExecution(arn) ?? (await sfn.region());
  const table = { region, name: lockTableName(sfn, givenTable) };
  const result = await onLockTable(table, 'GetItem/TransactWriteItems', () =>
    releaseStoppedLock(
      {
        dynamodb: lockClient(sfn, region),
        table,
        plan,
        by: who.by,
        reason: who.reason,
        now: sfn.io.now(),
      },
      name,
    ),
  );
  return { lines: stopLockLines(result, name, plan, table), result };
}
