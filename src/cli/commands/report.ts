import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { parseSavedHistory } from '../../history/file.js';
import { retriesFromHistory } from '../../report/html/attempts.js';
import { renderHtmlReport } from '../../report/html/render.js';
import { renderReport } from '../../report/render.js';
import type { FailoverReport } from '../../report/types.js';
import { StepFunctions } from '../aws.js';
import { CliError, UsageError } from '../errors.js';
import { reportFrom, reportOf, snapshot } from '../execution.js';
import type { CliIo } from '../io.js';
import { parseCommand, positionals } from '../options.js';

/** A saved history: no AWS call at all, so a report can be read anywhere, later, offline. */
function fromFile(
  io: CliIo,
  file: string,
  name: string | undefined,
): { report: FailoverReport; events: HistoryEvent[] } {
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
  return { report: reportFrom(saved.execution, saved.events), events: saved.events };
}

const FORMATS = ['markdown', 'json', 'html'] as const;

/** The report in the asked format; html also marks the retries its history shows. */
function formatted(format: (typeof FORMATS)[number], report: FailoverReport, events: HistoryEvent[]): string {
  if (format === 'json') return JSON.stringify(report, null, 2);
  if (format === 'html') return renderHtmlReport(report, { retries: retriesFromHistory(events) });
  return renderReport(report);
}

export async function report(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals: given } = parseCommand('report', argv, {
    format: { type: 'string' },
    'history-file': { type: 'string' },
  });
  const [ref] = positionals('report', given, ['EXECUTION']);
  const format = values.format ?? 'markdown';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(
      `--format must be markdown, json or html, got "${format}" (see failover report --help)`,
    );
  }
  const file = values['history-file'];
  if (!ref && !file) throw new UsageError('EXECUTION is required (see failover report --help)');

  let built: { report: FailoverReport; events: HistoryEvent[] };
  if (file) {
    built = fromFile(io, file, ref?.split(':').pop());
  } else {
    const sfn = new StepFunctions(io, values);
    const snap = await snapshot(sfn, await sfn.executionArn(ref));
    built = { report: reportOf(snap), events: snap.events };
  }
  io.out(formatted(format as (typeof FORMATS)[number], built.report, built.events));
  return 0;
}
