import { parseSavedHistory } from '../../history/file.js';
import { renderReport } from '../../report/render.js';
import type { FailoverReport } from '../../report/types.js';
import { StepFunctions } from '../aws.js';
import { CliError, UsageError } from '../errors.js';
import { reportFrom, reportOf, snapshot } from '../execution.js';
import type { CliIo } from '../io.js';
import { parseCommand, positionals } from '../options.js';

/** A saved history: no AWS call at all, so a report can be read anywhere, later, offline. */
function fromFile(io: CliIo, file: string, name: string | undefined): FailoverReport {
  let raw: unknown;
  try {
    raw = JSON.parse(io.readFile(file));
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  let saved: ReturnType<typeof parseSavedHistory>;
  try {
    saved = parseSavedHistory(raw, file, name);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  return reportFrom(saved.execution, saved.events);
}

export async function report(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals: given } = parseCommand('report', argv, {
    format: { type: 'string' },
    'history-file': { type: 'string' },
  });
  const [ref] = positionals('report', given, ['EXECUTION']);
  const format = values.format ?? 'markdown';
  if (format !== 'markdown' && format !== 'json') {
    throw new UsageError(`--format must be markdown or json, got "${format}" (see failover report --help)`);
  }
  const file = values['history-file'];
  if (!ref && !file) throw new UsageError('EXECUTION is required (see failover report --help)');

  let built: FailoverReport;
  if (file) {
    built = fromFile(io, file, ref?.split(':').pop());
  } else {
    const sfn = new StepFunctions(io, values);
    built = reportOf(await snapshot(sfn, await sfn.executionArn(ref)));
  }
  io.out(format === 'json' ? JSON.stringify(built, null, 2) : renderReport(built));
  return 0;
}
