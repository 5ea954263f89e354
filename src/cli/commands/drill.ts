import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type ChaosCase, parseChaosCase } from '../../drill/chaos/case.js';
import { chaosScenario } from '../../drill/chaos/scenario.js';
import { expectedEvents, meetsExpectation, publishedDetailTypes } from '../../drill/expectations.js';
import { checkedDrill, type InvariantResult } from '../../drill/invariants.js';
import { type DrillOptions, type DrillResult, runDrill } from '../../drill/run-drill.js';
import { type DrillScenario, findScenario, SCENARIOS } from '../../drill/scenarios.js';
import { EVENT_SOURCE } from '../../events/detail.js';
import { retriesFromHistory } from '../../report/html/attempts.js';
import { renderHtmlReport } from '../../report/html/render.js';
import { renderReport, renderTimelineLine } from '../../report/render.js';
import type { CloudSnapshot } from '../../sim/cloud.js';
import { type LatencyProfile, latencyProfile } from '../../sim/latencies.js';
import { CliError, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { integer } from '../options.js';
import { USAGE } from '../usage.js';

function describeCloud(label: string, s: CloudSnapshot): string {
  const services = s.services.map((x) => `${x.region}/${x.service} ${x.running}/${x.desired}`).join(', ');
  // What the name servers answer (health applied): a health-checked record says how its check stands.
  const health = (d: CloudSnapshot['dns'][number]) =>
    d.healthy === null ? '' : d.healthy ? ' (healthy)' : ' (unhealthy)';
  const dns = s.dns
    .map((d) => `${d.setIdentifier ?? d.name}=${d.weight ?? d.failover ?? d.value}${health(d)}`)
    .join(', ');
  const writer =
    s.databases.length > 1
      ? s.databases.map((db) => `${db.globalClusterIdentifier} ${db.writerRegion ?? 'none'}`).join(', ')
      : (s.database.writerRegion ?? 'none');
  return `${label}: writer ${writer}; ECS running/desired ${services}; DNS answers ${dns}`;
}

/**
 * `failover drill` and `npm start`: one drill, its timeline as it happens (virtual time), the
 * report and the simulated cloud before and after. Exit 0 when the orchestrator behaved as the
 * scenario expects (with --case: when every invariant held), 1 when not, 2 for a bad command line. With --json, stdout is the report
 * alone (the verdict goes to stderr), so it can be piped.
 */
export async function drill(argv: string[], io: Pick<CliIo, 'out' | 'err'>): Promise<number> {
  let values: {
    scenario?: string;
    case?: string;
    seed?: string;
    profile?: string;
    plan?: string;
    'save-history'?: string;
    html?: string;
    json?: boolean;
    list?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        scenario: { type: 'string' },
        case: { type: 'string' },
        seed: { type: 'string' },
        profile: { type: 'string' },
        plan: { type: 'string' },
        'save-history': { type: 'string' },
        html: { type: 'string' },
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
  if (values.html !== undefined && values.html.trim() === '') {
    throw new UsageError('--html needs a file name, e.g. --html report.html (see failover drill --help)');
  }
  if (values.case !== undefined && values.scenario !== undefined) {
    throw new UsageError('give --scenario or --case, not both (see failover drill --help)');
  }
  const chaos = values.case === undefined ? null : readCase(values.case);
  const seed = integer('drill', values.seed, '--seed', 0, Number.MAX_SAFE_INTEGER) ?? chaos?.seed ?? 1;
  let scenario: DrillScenario;
  let profile: LatencyProfile;
  try {
    profile = latencyProfile(values.profile ?? chaos?.latencies ?? 'typical');
    scenario = chaos ? chaosScenario(chaos, 'case') : findScenario(values.scenario ?? 'region-outage');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }

  const say = values.json ? () => undefined : io.out;
  say(`Drill ${scenario.name} (seed ${seed}, ${profile} latencies): ${scenario.summary}\n`);
  const drillOptions: Omit<DrillOptions, 'seed' | 'onCloud'> = {
    profile,
    ...(values.plan ? { planFile: values.plan } : {}),
    onTimeline: (events) => {
      for (const e of events) say(renderTimelineLine(e));
    },
    onRetry: (state, error, attempt) =>
      say(`          (state machine retries ${state} after ${error}, attempt ${attempt})`),
  };
  // A saved chaos case is judged by the invariants (it has no expected outcome).
  let checks: InvariantResult[] | null = null;
  let result: DrillResult;
  if (chaos) ({ result, checks } = await checkedDrill(scenario, seed, drillOptions));
  else result = await runDrill(scenario, { seed, ...drillOptions });
  if (values.json) {
    io.out(JSON.stringify(result.report, null, 2));
  } else {
    const error = result.error ? ` (${result.error.name})` : '';
    io.out(`\nExecution ${result.status}${error} after ${result.virtualSeconds} virtual seconds.\n`);
    io.out(result.report ? renderReport(result.report) : 'No report was produced.');
    if (result.operatorLog.length > 0) {
      // What on-call typed during the drill and what it printed, then how each execution ended.
      io.out(`\nOn-call at the command line:\n${result.operatorLog.join('\n')}\n`);
      for (const e of result.executions)
        io.out(`Execution ${e.name}: ${e.status}, ${e.report?.outcome ?? 'no report'}`);
    }
    io.out(`\n${describeCloud('Simulated cloud before', result.before)}`);
    io.out(describeCloud('Simulated cloud after ', result.after));
    io.out(`\n${describeEvents(result)}`);
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
  if (values.html !== undefined) writeHtml(values.html, result, values.json ? io.err : io.out);
  const verdict = values.json ? io.err : io.out;
  if (checks) {
    verdict(`${values.json ? '' : '\n'}Invariants (${values.case}, seed ${seed}):`);
    for (const c of checks) verdict(`  ${c.held ? 'held  ' : 'BROKEN'} ${c.name}: ${c.detail}`);
    const broken = checks.filter((c) => !c.held).length;
    verdict(broken === 0 ? 'Every invariant held.' : `${broken} invariant(s) broken.`);
    return broken === 0 ? 0 : 1;
  }
  const expected = scenario.expected;
  const ok = meetsExpectation(result, expected);
  verdict(
    `${values.json ? '' : '\n'}Drill ${ok ? 'behaved as expected' : 'DID NOT behave as expected'}${expected ? `: expected outcome ${expected.outcome}, ${expected.writer === 'split' ? 'writers split between the regions' : `writer in the ${expected.writer} region`}` : ''}.`,
  );
  if (!ok && expected) {
    verdict(`Expected events: ${expectedEvents(expected).join(', ') || 'none'}.`);
    verdict(`Published:       ${publishedDetailTypes(result).join(', ') || 'none'}.`);
  }
  return ok ? 0 : 1;
}

/** What the simulated EventBridge took, as a rule on the default bus would see it (docs/events.md). */
function describeEvents(result: DrillResult): string {
  const events = result.cloud.publishedEvents();
  if (events.length === 0) return 'EventBridge events: none taken.';
  return [
    `EventBridge events (source ${EVENT_SOURCE}, default bus):`,
    ...events.map((e) => {
      const execution = (e.detail.execution as { name?: unknown } | undefined)?.name;
      return `  ${new Date(e.at).toISOString().slice(11, 19)}  ${e.region}  ${e.detailType.padEnd(28)} ${String(execution ?? '')}`;
    }),
  ].join('\n');
}

/**
 * `--html FILE`: the first execution's report (the one printed above) as one self-contained
 * page, its retries read from the execution history the drill recorded.
 */
function writeHtml(file: string, result: DrillResult, say: (line: string) => void): void {
  if (!result.report) {
    say(`No report was produced, so no HTML report was written to ${file}.`);
    return;
  }
  try {
    writeFileSync(file, renderHtmlReport(result.report, { retries: retriesFromHistory(result.history) }));
  } catch (error) {
    throw new CliError(`--html ${file}: cannot write it: ${(error as Error).message.split('\n')[0]}`);
  }
  say(`HTML report written to ${file} (open it in any browser; it loads nothing from the network).`);
}

/** A chaos case file (npm run chaos writes them); a bad file is a usage error naming the fields. */
function readCase(file: string): ChaosCase {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--case ${file}: ${(error as Error).message}`);
  }
  try {
    return parseChaosCase(json);
  } catch (error) {
    throw new UsageError(`--case ${file}: ${(error as Error).message}`);
  }
}
