import { type DescribeExecutionCommandOutput, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { type ReportHeadline, rebuildReport, reportIn } from '../../history/rebuild.js';
import { StepFunctions, summaryOf } from '../aws.js';
import { CliError } from '../errors.js';
import { seconds, table } from '../format.js';
import type { CliIo } from '../io.js';
import { integer, parseCommand, positionals } from '../options.js';

/**
 * A succeeded execution's output is its report. One that failed has only Error and Cause (the
 * report's summary), so its report is rebuilt from the history; if that cannot be read, the
 * row still shows the status and the error.
 */
async function reportFor(
  sfn: StepFunctions,
  described: DescribeExecutionCommandOutput,
): Promise<ReportHeadline | null> {
  if (described.status === 'RUNNING' || described.status === 'PENDING_REDRIVE') return null;
  const own = described.status === 'SUCCEEDED' ? reportIn(described.output) : null;
  if (own) return own;
  try {
    return rebuildReport(await sfn.history(described.executionArn ?? ''), summaryOf(described));
  } catch (error) {
    if (error instanceof CliError && /access denied|credentials/.test(error.message)) throw error;
    return null;
  }
}

export async function history(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals: given } = parseCommand('history', argv, { max: { type: 'string' } });
  positionals('history', given, []);
  const max = integer('history', values.max, '--max', 1, 1000) ?? 10;
  const sfn = new StepFunctions(io, values);
  const stateMachineArn = await sfn.stateMachineArn();
  const listed = await sfn.call('ListExecutions', () =>
    sfn.client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: max })),
  );
  const executions = listed.executions ?? [];
  if (executions.length === 0) {
    io.out(`No executions of ${sfn.stateMachineName} in ${await sfn.region()}.`);
    return 0;
  }
  const rows = [['EXECUTION', 'STARTED (UTC)', 'STATUS', 'OUTCOME', 'RTO', 'RPO']];
  for (const listedExecution of executions) {
    const described = await sfn.describe(listedExecution.executionArn ?? '');
    const report = await reportFor(sfn, described);
    const outcome =
      described.status === 'RUNNING'
        ? 'running'
        : (report?.outcome ?? `? (${described.error ?? 'no report'})`);
    rows.push([
      described.name ?? listedExecution.name ?? '?',
      (described.startDate ?? listedExecution.startDate)?.toISOString().slice(0, 19).replace('T', ' ') ?? '?',
      described.status ?? '?',
      outcome,
      seconds(report?.rtoSeconds),
      seconds(report?.rpo.seconds),
    ]);
  }
  for (const line of table(rows)) io.out(line);
  return 0;
}
