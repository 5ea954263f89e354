/**
 * npm run bench: one run, one table, bench.json. Side by side:
 *   - critical path: region-outage RTO vs its floor (from the same drill's simulated durations)
 *     and vs the sequential baseline variant of the workflow (same simulator, same seeds);
 *   - planned switchover: the write-unavailable window vs switchover + traffic shift;
 *   - fan-out: plans of 1..200 ECS services, 1..50 records;
 *   - cost per failover, priced from AWS's published prices (src/bench/prices.ts);
 *   - size and start of each packaged function; wall time of `npm start` and `npm run drills`.
 * RTO-type figures are virtual time from drills (deterministic): median and worst over seeds.
 *
 *   npm run bench                          # seeds 1..20
 *   npm run bench -- --seeds 5
 *   npm run bench -- --short --check       # CI: 3 seeds, two fan-out sizes, exit 1 on a missed goal
 *   npm run bench -- --skip-package --skip-drills-wall --workers 1
 *   npm run bench -- --fan-out-seeds 5     # the fan-out drills on fewer seeds (a 200-service drill takes ~15 s)
 *
 * Order matters for the real-time figures: packaging, bundle init times and the wall times run
 * first, alone; the drills (in worker processes, `--workers`, default min(2, CPUs)) run after.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BundleFigures, measureBundles } from '../src/bench/bundles.js';
import { readLambdaSettings } from '../src/bench/cost.js';
import { FAN_OUT_SIZES, fanOutLabel, SHORT_FAN_OUT_SIZES } from '../src/bench/fan-out-plan.js';
import type { Job } from '../src/bench/jobs.js';
import { runPool } from '../src/bench/pool.js';
import { packageStaleness, timeCommand, type WallTime } from '../src/bench/processes.js';
import { buildReport } from '../src/bench/results.js';
import { renderTables } from '../src/bench/table.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '..', '..');
const OUTPUT = join(repoRoot, 'bench.json');

const { values } = parseArgs({
  options: {
    seeds: { type: 'string' },
    short: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    'skip-package': { type: 'boolean', default: false },
    'skip-drills-wall': { type: 'boolean', default: false },
    workers: { type: 'string' },
    'fan-out-seeds': { type: 'string' },
    'init-runs': { type: 'string' },
  },
});
const short = values.short ?? false;
const seedCount = Number(values.seeds ?? (short ? 3 : 20));
if (!Number.isInteger(seedCount) || seedCount < 1)
  throw new Error(`--seeds must be a positive integer, not ${values.seeds}`);
const seeds = Array.from({ length: seedCount }, (_, i) => i + 1);
const fanOutSizes = short ? SHORT_FAN_OUT_SIZES : FAN_OUT_SIZES;
const fanOutSeeds = seeds.slice(0, Number(values['fan-out-seeds'] ?? seeds.length));
const workers = Number(values.workers ?? Math.min(2, availableParallelism()));
const initRuns = Number(values['init-runs'] ?? 5);
// In --short (CI) mode the drills' own wall time is not measured: it doubles the run.
const skipDrillsWall = (values['skip-drills-wall'] ?? false) || short;

const benchStarted = performance.now();
const progress = (text: string) =>
  console.error(`[bench ${((performance.now() - benchStarted) / 1000).toFixed(0).padStart(4)} s] ${text}`);

// 1. Packages: built when missing or stale, unless told to skip.
let packaging = 'packages as found in .serverless';
const stale = packageStaleness(repoRoot);
if (stale && values['skip-package']) packaging = `--skip-package: ${stale}; measured as found`;
if (stale && !values['skip-package']) {
  progress(`${stale}: npm run package`);
  const run = spawnSync('npm', ['run', 'package'], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  packaging =
    run.status === 0
      ? `rebuilt by npm run package (${stale})`
      : `npm run package FAILED (exit ${run.status}); measured what .serverless holds`;
  if (run.status !== 0)
    progress(`npm run package failed:\n${`${run.stdout}${run.stderr}`.split('\n').slice(-15).join('\n')}`);
}

// 2. Bundles: sizes and init time, alone on the machine.
function bundleFigures(): BundleFigures[] | { skipped: string } {
  if (stale === '.serverless is missing' && values['skip-package'])
    return { skipped: '--skip-package and .serverless is missing' };
  try {
    return measureBundles(repoRoot, {
      runs: initRuns,
      onProgress: (name) => progress(`init time: ${name} (${initRuns} runs)`),
    });
  } catch (error) {
    return { skipped: `cannot measure bundles: ${(error as Error).message}` };
  }
}
const bundles = bundleFigures();

// 3. Wall times, alone on the machine.
progress('wall time: npm start');
const defaultDrill: WallTime = timeCommand(repoRoot, 'npm', ['start']);
let drillsWall: WallTime | { skipped: string } = { skipped: short ? '--short' : '--skip-drills-wall' };
if (!skipDrillsWall) {
  progress('wall time: npm run drills (as it runs by default)');
  drillsWall = timeCommand(repoRoot, 'npm', ['run', 'drills']);
}

// 4. The drills, on worker processes; the slowest first so the workers finish together.
const jobs: Job[] = [
  ...[...fanOutSizes]
    .reverse()
    .flatMap((size) => fanOutSeeds.map((seed): Job => ({ kind: 'fanout', seed, size }))),
  ...seeds.flatMap((seed): Job[] => [
    { kind: 'outage', seed },
    { kind: 'baseline', seed },
    { kind: 'planned', seed },
  ]),
];
progress(
  `${jobs.length} drills on ${workers} worker(s): ${seeds.length} seeds x (region-outage, baseline, planned-switchover, fan-out ${fanOutSizes.map((s) => s.services).join('/')} services)`,
);
const drillPhase = performance.now();
const { results, warnings } = await runPool(jobs, {
  workers,
  onResult: (r, done, total) => {
    const what = r.job.kind === 'fanout' ? `fanout ${fanOutLabel(r.job.size)}` : r.job.kind;
    progress(
      `${String(done).padStart(3)}/${total} ${what} seed ${r.job.seed}: ${r.outcome ?? r.status}, RTO ${r.rtoSeconds ?? '-'} s (${(r.wallMs / 1000).toFixed(1)} s real)`,
    );
  },
});
const drillPhaseMs = performance.now() - drillPhase;

// 5. bench.json and the table.
const report = buildReport({
  seeds,
  fanOutSeeds,
  short,
  fanOutSizes,
  workers,
  results,
  lambda: readLambdaSettings(join(repoRoot, 'serverless.yml')),
  bundles,
  wall: { defaultDrill, drills: drillsWall, drillPhaseMs },
  warnings,
  packaging,
});
writeFileSync(OUTPUT, `${JSON.stringify(report, null, 2)}\n`);
console.log(renderTables(report));
const missed = Object.entries(report.goals).filter(([, g]) => !g.met);
const failing = Object.entries(report.goals).filter(([, g]) => !g.withinCiLimit);
console.log(
  `\nwrote ${OUTPUT}; ${Object.keys(report.goals).length - missed.length} of ${Object.keys(report.goals).length} goals met${missed.length > 0 ? ` (not met: ${missed.map(([name]) => name).join(', ')})` : ''}; bench took ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`,
);
// CI (--check) fails on a figure past what it is held to: its goal, or the ceiling of a goal
// known unmet (src/bench/goals.ts says why each ceiling exists). Wall times are never gated.
if (values.check && failing.length > 0) {
  console.error(
    `--check: past the CI gate: ${failing.map(([name, g]) => `${name} ${g.value ?? 'not measured'} > ${g.ciLimit}`).join(', ')}`,
  );
  process.exitCode = 1;
}
