import type { BenchReport } from './results.js';
import type { Summary } from './stats.js';

/** The benchmark's printed tables: the same figures as bench.json, for a human. */

type Cell = string | number | null | undefined;

function table(header: string[], rows: Cell[][]): string {
  const text = rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))));
  const widths = header.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...text.map(line)].join('\n');
}

const num = (x: number | null | undefined, digits = 1) =>
  x === null || x === undefined ? '-' : x.toFixed(digits);
/** "median / worst", with the count of seeds that had no figure. */
const mw = (s: Summary, digits = 1) =>
  `${num(s.median, digits)} / ${num(s.worst, digits)}${s.missing > 0 ? ` (${s.missing} missing)` : ''}`;
const usd = (x: number | null | undefined) =>
  x === null || x === undefined ? 'not found' : `$${x.toFixed(6)}`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

export function renderTables(report: BenchReport): string {
  const out: string[] = [];
  const { criticalPath: cp, planned, fanOut, cost, bundles, wall, goals } = report;
  const seeds = report.settings.seeds;
  out.push(
    `Benchmark: seeds ${seeds[0]}..${seeds.at(-1)} (${seeds.length}); figures are median / worst over seeds, virtual seconds unless stated.`,
  );

  out.push('\n## Critical path (region-outage)\n');
  const t = cp.terms as Record<string, Summary>;
  out.push(
    table(
      ['figure', 'median / worst'],
      [
        ['RTO (s)', mw(cp.rtoSeconds)],
        ['floor (s)', mw(cp.floorSeconds)],
        ['  detection: alarm -> start + failure check', mw(t.detection as Summary, 2)],
        ['  promotion: FailoverGlobalCluster -> writer', mw(t.promotion as Summary)],
        ['  scale-up: first scale request -> activeCount running', mw(t.scaleUp as Summary)],
        ['  traffic shift: request -> answers at target', mw(t.trafficShift as Summary)],
        ['  verification: VerifyTarget', mw(t.verification as Summary, 2)],
        ['baseline RTO, sequential variant (s)', mw(cp.baselineRtoSeconds)],
        ['RTO / floor', mw(cp.rtoOverFloor, 3)],
        ['RTO / baseline (per seed)', mw(cp.rtoOverBaseline, 3)],
        [
          'RTO / baseline (median/median, worst/worst)',
          `${num(cp.rtoOverBaselineAsDistributions.medianOverMedian, 3)} / ${num(cp.rtoOverBaselineAsDistributions.worstOverWorst, 3)}`,
        ],
      ],
    ),
  );

  out.push('\n## Planned switchover (planned-switchover)\n');
  out.push(
    table(
      ['figure', 'median / worst'],
      [
        ['write-unavailable window: old writer refuses -> answers at target (s)', mw(planned.windowSeconds)],
        ['time to move: start -> verified (s)', mw(planned.timeToMoveSeconds)],
        ['Aurora switchover alone: accepted -> target writer (s)', mw(planned.switchoverSeconds)],
        ['traffic shift: request -> answers at target (s)', mw(planned.trafficShiftSeconds)],
        ["the plan's hooks the shift waited for (s)", mw(planned.hooksWaitedForSeconds)],
        ['(window - hooks) / (switchover + traffic shift)', mw(planned.windowOverSwitchoverPlusShift, 3)],
      ],
    ),
  );

  const fanOutSeeds = report.settings.fanOutSeeds;
  out.push(
    `\n## Fan-out (region-outage on generated plans${fanOutSeeds.length === seeds.length ? '' : `, seeds 1..${fanOutSeeds.length} only`})\n`,
  );
  out.push(
    table(
      [
        'plan',
        'Aurora global clusters',
        'RTO s',
        'RTO / smallest (per seed)',
        'RTO / smallest (median/median, worst/worst)',
        'Lambda invocations',
        'state transitions',
        'AWS calls',
        'outcomes',
        'drill wall ms',
      ],
      fanOut.sizes.map((s) => [
        s.label,
        s.auroraGlobalClusters,
        mw(s.rtoSeconds),
        mw(s.rtoOverSmallest, 3),
        `${num(s.rtoOverSmallestAsDistributions.medianOverMedian, 3)} / ${num(s.rtoOverSmallestAsDistributions.worstOverWorst, 3)}`,
        mw(s.lambdaInvocations, 0),
        mw(s.stateTransitions, 0),
        mw(s.awsCalls, 0),
        s.outcomes.join(', '),
        num(s.drillWallMs.median, 0),
      ]),
    ),
  );
  const commands = [...new Set(fanOut.sizes.flatMap((s) => Object.keys(s.callsByCommand)))].sort();
  out.push('\nAWS calls per API (median over seeds):\n');
  out.push(
    table(
      ['API', ...fanOut.sizes.map((s) => `${s.services} svc`)],
      commands.map((c) => [c, ...fanOut.sizes.map((s) => s.callsByCommand[c] ?? 0)]),
    ),
  );
  out.push(`\n${fanOut.auroraNote}.`);

  out.push('\n## Cost per failover (region-outage, plans/dev.json)\n');
  out.push(
    table(
      ['item', 'quantity (median / worst)', 'USD at AWS price (median)', 'third-party figure', 'source'],
      cost.lines.map((l) => [
        l.item,
        `${mw(l.quantity, l.unit === 'GB-second' ? 3 : 0)} ${l.unit}`,
        usd(l.usd.median),
        l.thirdPartyUsd.median === null ? '' : `$${l.thirdPartyUsd.median.toFixed(6)}`,
        l.source,
      ]),
    ),
  );
  out.push(
    `\nTotal at AWS's published prices (x86, GetMetricData not priced: not found): ${usd(cost.totalUsd.median)} median, ${usd(cost.totalUsd.worst)} worst; with the third-party GetMetricData figure: ${usd(cost.totalWithThirdPartyUsd.median)}.`,
  );
  out.push(
    `State transitions: ${mw(cost.statesEntered, 0)} entered + ${mw(cost.stateRetries, 0)} retries; Lambda memory ${Object.values(cost.lambda.memoryMb)[0] ?? '?'} MB (${cost.lambda.architecture} in serverless.yml).`,
  );
  out.push('\nAWS calls per API, one failover (median):\n');
  out.push(
    table(
      ['API', 'calls'],
      Object.entries(cost.callsByCommand).map(([c, n]) => [c, n]),
    ),
  );

  out.push('\n## Size and start (.serverless/*.zip)\n');
  if ('skipped' in bundles) out.push(`skipped: ${bundles.skipped}`);
  else {
    out.push(
      table(
        ['function', 'zip', 'unzipped', 'bundle .mjs', 'init ms (median of runs)', 'node process ms'],
        bundles.functions.map((b) => [
          b.name,
          kb(b.zipBytes),
          kb(b.unzippedBytes),
          kb(b.bundleBytes),
          b.error ? `failed: ${b.error.slice(0, 60)}` : num(b.initMs, 1),
          num(b.processMs, 0),
        ]),
      ),
    );
    out.push(`\n${bundles.packaging}`);
  }

  out.push('\n## Wall time (real, this machine; printed, never gated)\n');
  const drills = wall.drills;
  out.push(
    table(
      ['what', 'seconds', 'exit', 'last line'],
      [
        wall.defaultDrill
          ? [
              'default drill (npm start)',
              num(wall.defaultDrill.ms / 1000, 1),
              wall.defaultDrill.exitCode,
              wall.defaultDrill.lastLine.slice(0, 80),
            ]
          : ['default drill (npm start)', 'skipped', '', ''],
        'skipped' in drills
          ? ['npm run drills', 'skipped', '', drills.skipped]
          : ['npm run drills', num(drills.ms / 1000, 1), drills.exitCode, drills.lastLine.slice(0, 80)],
        ["this benchmark's drills (workers)", num(wall.benchDrillPhaseMs / 1000, 1), '', ''],
      ],
    ),
  );

  out.push('\n## Goals (judged on the worst seed)\n');
  out.push(
    table(
      ['goal', 'value (worst)', 'median', 'target', 'met', 'CI gate', 'note'],
      Object.entries(goals).map(([name, g]) => [
        name,
        num(g.value, name === 'bundles.maxUnzippedBytes' ? 0 : 3),
        num(g.median, name === 'bundles.maxUnzippedBytes' ? 0 : 3),
        `<= ${g.goal}`,
        g.met ? 'yes' : 'NO',
        `${g.withinCiLimit ? 'pass' : 'FAIL'} (<= ${g.ciLimit})`,
        g.note ?? '',
      ]),
    ),
  );
  out.push(`\nPairing: ${report.definitions.pairing}`);
  if (report.warnings.length > 0) {
    out.push('\nWarnings printed by the drills (deduplicated):');
    for (const w of report.warnings) out.push(`  ${w}`);
  }
  return out.join('\n');
}
