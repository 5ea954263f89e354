import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from './stats.js';
import { readZipEntries } from './zip.js';

/**
 * Each packaged function (.serverless/*.zip, built by `npm run package`): zipped and unzipped
 * size, and its module init time: a fresh `node` process imports the bundle from the zip
 * unpacked like Lambda's /var/task (as scripts/check-package.ts does), with the environment
 * serverless.yml gives it, and reports how long the import took (module loading and everything
 * the bundle runs at cold start: SDK clients, plan load and validation). Median of `runs`.
 * Node's own start-up is not in it; the whole process time is kept beside it.
 */

export interface BundleFigures {
  name: string;
  zipBytes: number;
  /** Every entry of the zip, unpacked (bundle, source map, plan). */
  unzippedBytes: number;
  /** The .mjs bundle alone. */
  bundleBytes: number;
  /** Each entry of the zip: its name, unpacked and compressed size. */
  files: { name: string; bytes: number; compressedBytes: number }[];
  /** Median import time in ms; null when the import failed. */
  initMs: number | null;
  /** Median time of the whole `node` process (start-up, import, exit). */
  processMs: number | null;
  error: string | null;
}

interface ServerlessState {
  service: {
    provider: { stage: string };
    functions: Record<string, { handler: string; package: { artifact: string } }>;
  };
}

const IMPORT_AND_TIME = `
const started = performance.now();
await import(process.env.BENCH_BUNDLE_URL);
process.stdout.write('\\n' + JSON.stringify({ importMs: performance.now() - started }) + '\\n');
`;

function timeImport(
  bundle: string,
  taskRoot: string,
  planFile: string,
): { importMs: number; processMs: number } {
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', IMPORT_AND_TIME], {
    encoding: 'utf8',
    cwd: taskRoot,
    env: {
      PATH: process.env.PATH,
      BENCH_BUNDLE_URL: pathToFileURL(bundle).href,
      // As serverless.yml sets them (FAILOVER_PLAN_FILE relative to the unpacked task root).
      FAILOVER_PLAN_FILE: join(taskRoot, planFile),
      FAILOVER_LOCK_TABLE: 'failover-locks-bench',
      POWERTOOLS_SERVICE_NAME: 'failover-orchestrator',
      NODE_OPTIONS: '--enable-source-maps',
      AWS_REGION: 'us-west-2',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    timeout: 60_000,
  });
  const processMs = performance.now() - started;
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0)
    throw new Error(`import failed (exit ${run.status}): ${(run.stderr || run.stdout).slice(0, 400)}`);
  return { importMs: (JSON.parse(last) as { importMs: number }).importMs, processMs };
}

export function measureBundles(
  repoRoot: string,
  options: { runs: number; onProgress?: (name: string) => void },
): BundleFigures[] {
  const outDir = join(repoRoot, '.serverless');
  const state = JSON.parse(readFileSync(join(outDir, 'serverless-state.json'), 'utf8')) as ServerlessState;
  const planFile = `plans/${state.service.provider.stage}.json`;
  const figures: BundleFigures[] = [];
  for (const [name, fn] of Object.entries(state.service.functions)) {
    options.onProgress?.(name);
    const zipFile = join(repoRoot, fn.package.artifact);
    const entries = readZipEntries(zipFile);
    const bundleName = `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.mjs`;
    const taskRoot = mkdtempSync(join(tmpdir(), 'failover-bench-task-'));
    const figure: BundleFigures = {
      name,
      zipBytes: statSync(zipFile).size,
      unzippedBytes: entries.reduce((sum, e) => sum + e.bytes, 0),
      bundleBytes: entries.find((e) => e.name === bundleName)?.bytes ?? 0,
      files: entries.map(({ name, bytes, compressedBytes }) => ({ name, bytes, compressedBytes })),
      initMs: null,
      processMs: null,
      error: null,
    };
    try {
      for (const entry of entries) {
        mkdirSync(dirname(join(taskRoot, entry.name)), { recursive: true });
        writeFileSync(join(taskRoot, entry.name), entry.data());
      }
      const runs = Array.from({ length: options.runs }, () =>
        timeImport(join(taskRoot, bundleName), taskRoot, planFile),
      );
      figure.initMs = median(runs.map((r) => r.importMs));
      figure.processMs = median(runs.map((r) => r.processMs));
    } catch (error) {
      figure.error = (error as Error).message;
    } finally {
      rmSync(taskRoot, { recursive: true, force: true });
    }
    figures.push(figure);
  }
  return figures;
}
