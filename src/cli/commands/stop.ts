import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { renderReport } from '../../report/render.js';
import { executionName, StepFunctions } from '../aws.js';
import { CliError } from '../errors.js';
import { reportOf, snapshot } from '../execution.js';
import type { CliIo } from '../io.js';
import { parseCommand, positionals, required } from '../options.js';

/** The error name a stopped execution carries: on-call and the report tell it from a failure. */
export const STOPPED_BY_OPERATOR = 'StoppedByOperator';

export async function stop(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals: given } = parseCommand('stop', argv, {
    reason: { type: 'string' },
    by: { type: 'string' },
  });
  const [ref] = positionals('stop', given, ['EXECUTION']);
  const execution = required('stop', ref, 'EXECUTION');
  const reason = required('stop', values.reason, '--reason TEXT');
  const by = required('stop', values.by, '--by WHO');
  const sfn = new StepFunctions(io, values);
  const arn = await sfn.executionArn(execution);
  const name = executionName(arn);

  const before = await sfn.describe(arn);
  if (before.status !== 'RUNNING') {
    throw new CliError(
      `execution ${name} has already ended (${before.status}): nothing to stop; see failover report ${name}`,
    );
  }
  const cause = `stopped by ${by}: ${reason}`;
  await sfn.call(
    'StopExecution',
    () => sfn.client.send(new StopExecutionCommand({ executionArn: arn, error: STOPPED_BY_OPERATOR, cause })),
    { execution: name },
  );
  const snap = await snapshot(sfn, arn);
  // StopExecution is synchronous for Standard workflows; should a read still say RUNNING,
  // the report is built for the stop that was just accepted.
  const described =
    snap.described.status === 'RUNNING'
      ? { ...snap.described, status: 'ABORTED' as const, error: STOPPED_BY_OPERATOR, cause }
      : snap.described;
  io.out(`Stopped ${name} at ${snap.at ?? 'its first state'} (${cause}).`);
  io.out('');
  io.out(renderReport(reportOf({ ...snap, described })));
  return 0;
}
