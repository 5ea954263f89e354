import { renderTimelineLine } from '../../report/render.js';
import { StepFunctions } from '../aws.js';
import { elapsed, follow, printEnd, reportOf, snapshot } from '../execution.js';
import { eventKey } from '../format.js';
import type { CliIo } from '../io.js';
import { parseCommand, positionals } from '../options.js';

export async function status(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals: given } = parseCommand('status', argv, { follow: { type: 'boolean' } });
  const [ref] = positionals('status', given, ['[EXECUTION]']);
  const sfn = new StepFunctions(io, values);
  const arn = await sfn.executionArn(ref);
  const snap = await snapshot(sfn, arn);
  const { described } = snap;

  io.out(`${described.name}  ${described.status}  (${sfn.stateMachineName} in ${await sfn.region()})`);
  io.out(`started   ${described.startDate?.toISOString() ?? '?'}  (${elapsed(snap, io.now())} elapsed)`);
  let timeline = snap.timeline;
  if (described.status === 'RUNNING') {
    io.out(`now in    ${snap.at ?? '(starting)'}`);
    if (snap.approval) {
      io.out(
        `approval  waiting since ${snap.approval.since.toISOString()}: failover approve ${described.name} --by WHO (or reject)`,
      );
    }
  } else {
    io.out(`ended     ${described.stopDate?.toISOString() ?? '?'}  (last state ${snap.at ?? '?'})`);
    const report = reportOf(snap);
    io.out(`outcome   ${report.outcome}: ${report.summary}`);
    // The report's timeline also has the step that failed, which left no output of its own.
    timeline = report.timeline;
  }
  io.out('');
  io.out(timeline.length > 0 ? 'Timeline:' : 'No step has finished yet.');
  for (const e of timeline) io.out(renderTimelineLine(e));

  if (!values.follow) return 0;
  if (described.status !== 'RUNNING') return printEnd(sfn, snap);
  const ended = await follow(sfn, arn, new Set(snap.timeline.map(eventKey)));
  return printEnd(sfn, ended);
}
