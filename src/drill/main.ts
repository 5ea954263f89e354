import { parseArgs } from 'node:util';
import { renderReport, renderTimelineLine } from '../report/render.js';
import type { CloudSnapshot } from '../sim/cloud.js';
import { type DrillResult, runDrill } from './run-drill.js';
import { findScenario, SCENARIOS } from './scenarios.js';

const USAGE = `Usage: npm start -- [--scenario NAME] [--seed N] [--plan FILE] [--json]

Runs a failover drill: the real state machine and Lambda handlers against a simulated
two-region AWS cloud on a virtual clock. No AWS account is used.

  --scenario NAME   one of: ${SCENARIOS.map((s) => s.name).join(', ')} (default region-outage)
  --seed N          seed for latencies and retry jitter (default 1); same seed, same figures
  --plan FILE       failover plan to drill (default plans/dev.json)
  --json            print the report as JSON instead of Markdown
  --list            list the scenarios
  --help            this text`;

function describeCloud(label: string, s: CloudSnapshot): string {
  const services = s.services.map((x) => `${x.region}/${x.service} ${x.running}/${x.desired}`).join(', ');
  const dns = s.dns.map((d) => `${d.setIdentifier ?? d.name}=${d.weight ?? d.value}`).join(', ');
  return `${label}: writer ${s.database.writerRegion ?? 'none'}; ECS running/desired ${services}; DNS ${dns}`;
}

function meetsExpectation(
  result: DrillResult,
  expected: { outcome: string; writer: 'source' | 'target' },
): boolean {
  const plan = { source: result.before.database.writerRegion };
  const writerMoved = result.after.database.writerRegion !== plan.source;
  return (
    (result.report?.outcome ?? 'failed') === expected.outcome &&
    writerMoved === (expected.writer === 'target')
  );
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', default: 'region-outage' },
      seed: { type: 'string', default: '1' },
      plan: { type: 'string' },
      json: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.list) {
    for (const s of SCENARIOS) console.log(`${s.name.padEnd(22)} ${s.summary}`);
    return 0;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new Error(`--seed must be a non-negative integer, got "${values.seed}"`);
  const scenario = findScenario(values.scenario);

  console.log(`Drill ${scenario.name} (seed ${seed}): ${scenario.summary}\n`);
  const result = await runDrill(scenario, {
    seed,
    ...(values.plan ? { planFile: values.plan } : {}),
    onTimeline: (events) => {
      if (!values.json) for (const e of events) console.log(renderTimelineLine(e));
    },
    onRetry: (state, error, attempt) => {
      if (!values.json)
        console.log(`          (state machine retries ${state} after ${error}, attempt ${attempt})`);
    },
  });
  if (values.json) {
    console.log(JSON.stringify(result.report, null, 2));
  } else {
    console.log(
      `\nExecution ${result.status}${result.error ? ` (${result.error.name})` : ''} after ${result.virtualSeconds} virtual seconds.\n`,
    );
    console.log(result.report ? renderReport(result.report) : 'No report was produced.');
    console.log(`\n${describeCloud('Simulated cloud before', result.before)}`);
    console.log(describeCloud('Simulated cloud after ', result.after));
  }
  const ok = meetsExpectation(result, scenario.expected);
  console.log(
    `\nDrill ${ok ? 'behaved as expected' : 'DID NOT behave as expected'}: expected outcome ${scenario.expected.outcome}, writer in the ${scenario.expected.writer} region.`,
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`drill: ${error.message}`);
    process.exit(2);
  },
);
