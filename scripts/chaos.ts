/**
 * npm run chaos: random fault campaigns against the real state machine and handlers on the
 * simulated cloud, every run held to the drill invariants (src/drill/invariants.ts). Prints an
 * outcome histogram and every class of violation, each with its first case shrunk by fast-check
 * and saved for `npx failover drill --case FILE`. Exits 1 when any invariant was broken.
 *
 *   npm run chaos -- --runs 300 --seed 7
 *   npm run chaos -- --runs 1000 --seed 7 --workers 2 --shrink-seconds 30
 *   npm run chaos -- --runs 60 --seed 7 --profile typical --out chaos-cases
 *
 * Runs are split over worker processes (each drill owns the process's clock and AWS clients,
 * so one drill at a time per process); the seed fixes every case whatever the worker count.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type ChaosProfileName, chaosProfile } from '../src/drill/chaos/arbitraries.js';
import {
  caseAt,
  type RunSummary,
  runCampaign,
  type Shrunk,
  shrinkClass,
} from '../src/drill/chaos/campaign.js';
import { describeCase } from '../src/drill/chaos/case.js';
import { classOf } from '../src/drill/chaos/run-case.js';

interface Settings {
  runs: number;
  seed: number;
  profile: ChaosProfileName;
  shrinkSeconds: number;
  workers: number;
  out: string;
}

type ToWorker = { type: 'shrink'; index: number; cls: string } | { type: 'exit' };
type FromWorker =
  | { type: 'run'; run: RunSummary }
  | { type: 'ran' }
  | { type: 'shrunk'; cls: string; shrunk: Shrunk };

function usage(message: string): never {
  console.error(`chaos: ${message}
usage: npm run chaos -- --runs N --seed S [--profile typical|pessimistic] [--shrink-seconds 60] [--workers N] [--out chaos-cases]`);
  process.exit(2);
}

function wholeNumber(flag: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) usage(`${flag} must be a whole number >= ${min}, got "${value}"`);
  return n;
}

function settings(): Settings & { worker: number | null } {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        runs: { type: 'string' },
        seed: { type: 'string' },
        profile: { type: 'string' },
        'shrink-seconds': { type: 'string' },
        workers: { type: 'string' },
        out: { type: 'string' },
        worker: { type: 'string' },
      },
      strict: true,
    }) as { values: Record<string, string | undefined> });
  } catch (error) {
    usage((error as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  let profile: ChaosProfileName;
  try {
    profile = chaosProfile(values.profile ?? 'typical');
  } catch (error) {
    usage((error as Error).message);
  }
  return {
    runs: wholeNumber('--runs', values.runs, 100, 1),
    seed: wholeNumber('--seed', values.seed, Math.floor(Math.random() * 0x7fffffff), 0),
    profile,
    shrinkSeconds: wholeNumber('--shrink-seconds', values['shrink-seconds'], 60, 0),
    workers: wholeNumber('--workers', values.workers, Math.min(2, availableParallelism()), 1),
    out: values.out ?? 'chaos-cases',
    worker: values.worker === undefined ? null : Number(values.worker),
  };
}

/** A worker: its share of the runs (index mod workers), then shrink jobs until told to exit. */
async function worker(s: Settings, k: number): Promise<void> {
  const send = (message: FromWorker) => process.send?.(message);
  const jobs: ToWorker[] = [];
  let wake: (() => void) | null = null;
  process.on('message', (message: ToWorker) => {
    jobs.push(message);
    wake?.();
  });
  await runCampaign({
    ...s,
    mine: (i) => i % s.workers === k,
    onRun: (index, _c, run) =>
      send({
        type: 'run',
        run: {
          index,
          outcomes: run.outcomes,
          failures: run.failures,
          violations: run.violations,
          wallMs: run.wallMs,
        },
      }),
  });
  send({ type: 'ran' });
  for (;;) {
    while (jobs.length === 0) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    const job = jobs.shift() as ToWorker;
    if (job.type === 'exit') break;
    send({ type: 'shrunk', cls: job.cls, shrunk: await shrinkClass(s, job.index, job.cls) });
  }
  // Drills leave idle SDK sockets and timers behind: nothing more to wait for.
  process.exit(0);
}

const count = (xs: string[]) => {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1]);
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

async function main(s: Settings): Promise<number> {
  const started = performance.now();
  console.log(
    `Chaos campaign: ${s.runs} runs, seed ${s.seed}, profile ${s.profile}, ${s.workers} worker(s); each run checked against every drill invariant.`,
  );
  const script = fileURLToPath(import.meta.url);
  const args = [
    ...['--runs', String(s.runs), '--seed', String(s.seed), '--profile', s.profile],
    ...['--shrink-seconds', String(s.shrinkSeconds), '--workers', String(s.workers), '--out', s.out],
  ];
  const runs: RunSummary[] = [];
  const shrunk = new Map<string, Shrunk>();
  const workers: ChildProcess[] = [];
  const every = Math.max(1, Math.round(s.runs / 10));
  let ran = 0;
  let idle: ChildProcess[] = [];
  let onIdle: (() => void) | null = null;

  await new Promise<void>((allRan) => {
    for (let k = 0; k < s.workers; k++) {
      const child = fork(script, [...args, '--worker', String(k)], { execArgv: process.execArgv });
      workers.push(child);
      child.on('message', (message: FromWorker) => {
        if (message.type === 'run') {
          runs.push(message.run);
          if (runs.length % every === 0 || runs.length === s.runs) {
            const broken = runs.filter((r) => r.violations.length > 0).length;
            console.log(
              `  ${String(runs.length).padStart(String(s.runs).length)}/${s.runs} runs, ${broken} with violations, ${seconds((performance.now() - started) / runs.length)} wall per run`,
            );
          }
        } else if (message.type === 'ran') {
          idle.push(child);
          if (++ran === s.workers) allRan();
        } else {
          shrunk.set(message.cls, message.shrunk);
          idle.push(child);
          onIdle?.();
        }
      });
      child.on('exit', (code) => {
        if (code === 0) return;
        // A worker that dies takes its runs or its shrink with it: nothing left to wait for.
        console.error(`chaos: worker ${k} exited with ${code}`);
        process.exit(3);
      });
    }
  });
  const runWallMs = performance.now() - started;
  runs.sort((a, b) => a.index - b.index);

  // Outcomes: the first execution's, then the racing starts' apart.
  console.log('\nOutcomes (first execution of each run):');
  for (const [outcome, n] of count(runs.map((r) => r.outcomes[0] ?? 'no report')))
    console.log(`  ${outcome.padEnd(14)} ${String(n).padStart(5)}`);
  const others = runs.flatMap((r) => r.outcomes.slice(1));
  if (others.length > 0)
    console.log(
      `Racing starts: ${count(others)
        .map(([o, n]) => `${o} ${n}`)
        .join(', ')}`,
    );
  const failures = runs.flatMap((r) => r.failures);
  if (failures.length > 0)
    console.log(
      `Failed executions by error: ${count(failures)
        .map(([e, n]) => `${e} ${n}`)
        .join(', ')}`,
    );
  const walls = runs.map((r) => r.wallMs).sort((a, b) => a - b);
  console.log(
    `\nWall time per run: mean ${seconds(walls.reduce((a, b) => a + b, 0) / walls.length)}, median ${seconds(percentile(walls, 0.5))}, p95 ${seconds(percentile(walls, 0.95))}, max ${seconds(walls.at(-1) ?? 0)}; ${seconds(runWallMs)} for ${s.runs} runs on ${s.workers} worker(s).`,
  );

  const classes = new Map<string, RunSummary[]>();
  for (const run of runs) {
    for (const cls of new Set(run.violations.map(classOf)))
      classes.set(cls, [...(classes.get(cls) ?? []), run]);
  }
  mkdirSync(s.out, { recursive: true });
  // A file left by an earlier campaign of this seed would pass for one of this campaign's.
  for (const stale of readdirSync(s.out).filter((f) => f.startsWith(`violation-${s.seed}-`)))
    rmSync(join(s.out, stale));
  writeFileSync(
    join(s.out, `campaign-${s.seed}.json`),
    `${JSON.stringify({ seed: s.seed, profile: s.profile, runs }, null, 2)}\n`,
  );
  if (classes.size === 0) {
    console.log(`\nNo invariant was broken in ${s.runs} runs.`);
    for (const child of workers) child.send({ type: 'exit' } satisfies ToWorker);
    return 0;
  }

  // Shrink the first case of each class, spread over the workers.
  const sorted = [...classes].sort((a, b) => b[1].length - a[1].length);
  console.log(
    `\n${sorted.length} class(es) of violation; shrinking the first case of each (up to ${s.shrinkSeconds} s each)...`,
  );
  const queue = sorted.map(([cls, hit]) => ({ cls, index: hit[0]?.index ?? 0 }));
  await new Promise<void>((done) => {
    const dispatch = () => {
      while (idle.length > 0 && queue.length > 0) {
        const job = queue.shift();
        const child = idle.shift();
        if (job && child) child.send({ type: 'shrink', ...job } satisfies ToWorker);
      }
      if (shrunk.size === sorted.length) done();
    };
    onIdle = dispatch;
    dispatch();
  });
  for (const child of workers) child.send({ type: 'exit' } satisfies ToWorker);
  idle = [];

  console.log('\nViolations by class (runs hit; shrunk case; replay):');
  for (const [n, [cls, hit]] of sorted.entries()) {
    const first = hit[0] as RunSummary;
    const result = shrunk.get(cls) as Shrunk;
    const file = join(s.out, `violation-${s.seed}-${n + 1}.json`);
    const detail =
      result.run.violations.find((v) => classOf(v) === cls)?.detail ??
      first.violations.find((v) => classOf(v) === cls)?.detail ??
      '';
    const [invariant, kind] = cls.split('/');
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          class: cls,
          invariant,
          kind: kind ?? null,
          detail,
          replay: `npx failover drill --case ${relative(process.cwd(), file)}`,
          campaign: {
            seed: s.seed,
            profile: s.profile,
            runs: s.runs,
            firstRun: first.index,
            runsHit: hit.map((r) => r.index),
          },
          shrink: {
            path: result.path,
            shrinks: result.shrinks,
            reproduced: result.reproduced,
            seconds: Math.round(result.wallMs / 100) / 10,
          },
          outcomes: result.run.outcomes,
          case: result.case,
          original: caseAt(s.seed, s.profile, first.index),
        },
        null,
        2,
      )}\n`,
    );
    console.log(
      `\n- ${cls}: ${hit.length} run(s) (${hit
        .slice(0, 12)
        .map((r) => r.index)
        .join(', ')}${hit.length > 12 ? ', ...' : ''})`,
    );
    console.log(
      `  ${s.shrinkSeconds === 0 ? 'first case (not shrunk)' : result.reproduced ? `shrunk in ${result.shrinks} step(s)` : 'first case (NOT reproduced on replay: kept as found)'}: ${describeCase(result.case)}`,
    );
    console.log(`  outcome ${result.run.outcomes.join('+')}: ${detail}`);
    console.log(`  npx failover drill --case ${relative(process.cwd(), file)}`);
  }
  const broken = runs.filter((r) => r.violations.length > 0).length;
  console.log(
    `\n${broken} of ${s.runs} runs broke an invariant (${sorted.length} class(es)); ${seconds(performance.now() - started)} in all.`,
  );
  return 1;
}

const s = settings();
if (s.worker !== null) await worker(s, s.worker);
else process.exitCode = await main(s);
