import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { APPROVAL_REJECTED } from '../../errors.js';
import { pendingApproval } from '../../history/events.js';
import { executionName, StepFunctions } from '../aws.js';
import { CliError } from '../errors.js';
import type { CliIo } from '../io.js';
import { parseCommand, positionals, required } from '../options.js';

/**
 * Answers the approval an execution waits for. The task token is read from the execution
 * history (the scheduled parameters of the waitForTaskToken task), so the operator needs
 * nothing but the execution, and nobody has to copy tokens out of notifications.
 */
async function answer(verb: 'approve' | 'reject', argv: string[], io: CliIo): Promise<number> {
  const { values, positionals: given } = parseCommand(verb, argv, {
    by: { type: 'string' },
    reason: { type: 'string' },
  });
  const [ref] = positionals(verb, given, ['[EXECUTION]']);
  const by = required(verb, values.by, '--by WHO');
  const reason = verb === 'reject' ? required(verb, values.reason, '--reason TEXT') : values.reason;
  const sfn = new StepFunctions(io, values);
  const arn = await sfn.executionArn(ref, { running: true });
  const name = executionName(arn);
  const pending = pendingApproval(await sfn.history(arn));
  if (!pending) throw new CliError(`no approval is pending in execution ${name}`);

  if (verb === 'approve') {
    const output = JSON.stringify({ approved: true, by, ...(reason ? { reason } : {}) });
    await sfn.call(
      'SendTaskSuccess',
      () => sfn.client.send(new SendTaskSuccessCommand({ taskToken: pending.taskToken, output })),
      { execution: name },
    );
    io.out(`Approved ${name} (${pending.stateName}) by ${by}: the failover goes on.`);
  } else {
    await sfn.call(
      'SendTaskFailure',
      () =>
        sfn.client.send(
          new SendTaskFailureCommand({
            taskToken: pending.taskToken,
            error: APPROVAL_REJECTED,
            cause: `rejected by ${by}: ${reason}`,
          }),
        ),
      { execution: name },
    );
    io.out(
      `Rejected ${name} (${pending.stateName}) by ${by}: nothing will be changed; the report says not approved.`,
    );
  }
  io.out(`  follow: failover status ${name} --follow --region ${await sfn.region()}`);
  return 0;
}

export const approve = (argv: string[], io: CliIo) => answer('approve', argv, io);
export const reject = (argv: string[], io: CliIo) => answer('reject', argv, io);
