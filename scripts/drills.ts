/**
 * npm run drills: every drill scenario with several seeds (latencies, fault timing, jitter)
 * under each latency profile (src/sim/latencies.ts), each run checked by the invariant checker,
 * as one table with a column group per profile. Exits 1 when any drill breaks an invariant or
 * does not end as its scenario expects.
 *
 *   npm run drills                 # every scenario, seeds 1 2 3, typical and pessimistic
 *   npm run drills -- --seeds 1,7  # other seeds
 *   npm run drills -- --profiles pessimistic
 *   npm run drills -- --scenario region-outage
 */
import { parseArgs } from 'node:util';
import { meetsExpectation } from '../src/drill/expectations.js';
import { checkedDrill, INVARIANTS } from '../src/drill/invariants.js';
import { findScenario, SCENARIOS } from '../src/drill/scenarios.js';
import { LATENCY_PROFILES, latencyProfile } from '../src/sim/latencies.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    profiles: { type: 'string', default: LATENCY_PROFILES.join(',') },
    scenario: { type: 'string' },
  },
});
const seeds = (values.seeds ?? '1').split(',').map(Number);
const profiles = (values.profiles ?? 'typical').split(',').map(latencyProfile);
const scenarios = values.scenario ? [findScenario(values.scenario)] : SCENARIOS;

const fmt = (n: number | null | undefined) => (n === null || n === undefined ? '-' : String(n));
const range = (xs: (number | null | undefined)[]) => {
  const known = xs.filter((x): x is number => typeof x === 'number');
  if (known.length === 0) return '-';
  const [lo, hi] = [Math.min(...known), Math.max(...known)];
  return lo === hi ? fmt(lo) : `${lo}-${hi}`;
};

const rows: string[][] = [];
let broken = 0;
for (const scenario of scenarios) {
  const cells: string[] = [];
  const failedChecks = new Set<string>();
  let asExpected = true;
  for (const profile of profiles) {
    const outcomes = new Set<string>();
    const rtos: (number | null)[] = [];
    const rpos: (number | null)[] = [];
    for (const seed of seeds) {
      const { result, checks } = await checkedDrill(scenario, seed, { profile });
      for (const c of checks)
        if (!c.held) failedChecks.add(`${c.name} (${profile}, seed ${seed}: ${c.detail})`);
      const outcome = result.report?.outcome ?? 'no report';
      const others = result.executions.slice(1).map((e) => e.report?.outcome ?? 'no report');
      outcomes.add([outcome, ...others].join('+'));
      rtos.push(result.report?.rtoSeconds ?? null);
      rpos.push(result.report?.rpo.seconds ?? null);
      asExpected &&= meetsExpectation(result, scenario.expected);
    }
    cells.push([...outcomes].join(' / '), range(rtos), range(rpos));
  }
  const held = failedChecks.size === 0;
  if (!held || !asExpected) broken++;
  rows.push([
    scenario.name,
    ...cells,
    held ? `all ${INVARIANTS.length} held` : `BROKEN: ${[...failedChecks].join('; ')}`,
    asExpected ? 'yes' : 'NO',
  ]);
}

const header = [
  'scenario',
  ...profiles.flatMap((p) => [`outcome (${p})`, `RTO s (${p})`, `RPO s (${p})`]),
  'invariants',
  'as expected',
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
console.log(
  `Drills: ${scenarios.length} scenarios x seeds ${seeds.join(', ')} x latency profiles ${profiles.join(', ')}\n`,
);
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
console.log(
  `\n${scenarios.length - broken} of ${scenarios.length} scenarios held every invariant and ended as expected.`,
);
process.exit(broken === 0 ? 0 : 1);
