import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { meetsExpectation } from '../../drill/expectations.js';
import { runDrill } from '../../drill/run-drill.js';
import { type DrillScenario, findScenario, SCENARIOS } from '../../drill/scenarios.js';
import { renderReport, renderTimelineLine } from '../../report/render.js';
import type { CloudSnapshot } from '../../sim/cloud.js';
import { UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { integer } from '../options.js';
import { USAGE } from '../usage.js';

function describeCloud(label: string, s: CloudSnapshot): string {
  const services = s.services.map((x) => `${x.region}/${x.service} ${x.running}/${x.desired}`).join(', ');
  const dns = s.dns.map((d) => `${d.setIdentifier ?? d.name}=${d.weight ?? d.value}`).join(', ');
  return `${label}: writer ${s.database.writerRegion ?? 'none'}; ECS running/desired ${services}; DNS ${dns}`;
}

/**
 * `failover drill` and `npm start`: one drill, its timeline as it happens (virtual time), the
 * report and the simulated cloud before and after. Exit 0 when the orchestrator behaved as the
 * scenario expects, 1 when not, 2 for a bad command line. With --json, stdout is the report
 * alone (the verdict goes to stderr), so it can be piped.
 */
export async function drill(argv: string[], io: Pick<CliIo, 'out' | 'err'>): Promise<number> {
  let values: {
    scenario?: string;
    seed?: string;
    plan?: string;
    'save-history'?: string;
    json?: boolean;
    list?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string' },
        seed: { type: 'string' },
        plan: { type: 'string' },
        'save-history': { type: 'string' },
        json: { type: 'boolean' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see failover drill --help)`);
  }
  if (values.help) {
    io.out(USAGE.drill as string);
    return 0;
  }
  if (values.list) {
    for (const s of SCENARIOS) io.out(`${s.name.padEnd(22)} ${s.summary}`);
    return 0;
  }
  const seed = integer('drill', values.seed, '--seed', 0, Number.MAX_SAFE_INTEGER) ?? 1;
  let scenario: DrillScenario;
  try {
    scenario = findScenario(values.scenario ?? 'region-outage');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }

  const say = values.json ? () => undefined : io.out;
  say(`Drill ${scenario.name} (seed ${seed}): ${scenario.summary}\n`);
  const result = await runDrill(scenario, {
    seed,
    ...(values.plan ? { planFile: values.plan } : {}),
    onTimeline: (events) => {
      for (const e of events) say(renderTimelineLine(e));
    },
    onRetry: (state, error, attempt) =>
      say(`          (state machine retries ${state} after ${error}, attempt ${attempt})`),
  });
  if (values.json) {
    io.out(JSON.stringify(result.report, null, 2));
  } else {
    const error = result.error ? ` (${result.error.name})` : '';
    io.out(`\nExecution ${result.status}${error} after ${result.virtualSeconds} virtual seconds.\n`);
    io.out(result.report ? renderReport(result.report) : 'No report was produced.');
    io.out(`\n${describeCloud('Simulated cloud before', result.before)}`);
    io.out(describeCloud('Simulated cloud after ', result.after));
  }
  const saveTo = values['save-history'];
  if (saveTo) {
    // The shape `failover report --history-file` reads, as get-execution-history and
    // describe-execution print them: review a drill exactly as an incident.
    const execution = {
      name: result.name,
      status: result.status,
      startDate: result.startedAt,
      ...(result.error ? { error: result.error.name, cause: result.error.cause } : {}),
      ...(result.status === 'SUCCEEDED' && result.report ? { output: JSON.stringify(result.report) } : {}),
    };
    writeFileSync(saveTo, `${JSON.stringify({ events: result.history, execution }, null, 2)}\n`);
    (values.json ? io.err : io.out)(
      `Execution history saved to ${saveTo} (failover report --history-file ${saveTo}).`,
    );
  }
  const ok = meetsExpectation(result, scenario.expected);
  (values.json ? io.err : io.out)(
    `${values.json ? '' : '\n'}Drill ${ok ? 'behaved as expected' : 'DID NOT behave as expected'}: expected outcome ${scenario.expected.outcome}, writer in the ${scenario.expected.writer} region.`,
  );
  return ok ? 0 : 1;
}
