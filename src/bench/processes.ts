import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Real (wall-clock) time of a command run to its end, and how it ended. Printed, never gated. */
export interface WallTime {
  command: string;
  ms: number;
  exitCode: number | null;
  /** The command's last output line, for the reader (e.g. the drills' summary line). */
  lastLine: string;
}

export function timeCommand(cwd: string, command: string, args: string[]): WallTime {
  const started = performance.now();
  const run = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - started;
  const lines = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n');
  const lastLine = [...lines].reverse().find((l) => l.trim() !== '' && !l.startsWith('(')) ?? '';
  return { command: [command, ...args].join(' '), ms, exitCode: run.status, lastLine: lastLine.trim() };
}

/** Under src/ but in no Lambda bundle: a change there does not make the zips stale. */
const NOT_BUNDLED = ['src/bench'];

/** Newest modification time (ms) of a file, or of any file under a directory. */
function newestMtime(repoRoot: string, path: string): number {
  const full = join(repoRoot, path);
  if (!existsSync(full) || NOT_BUNDLED.includes(path)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(full)) newest = Math.max(newest, newestMtime(repoRoot, join(path, entry)));
  return newest;
}

/** What the function zips are built from: anything newer means .serverless is stale. */
export const PACKAGE_INPUTS = [
  'src',
  'plans',
  'statemachines',
  'serverless.yml',
  'package-lock.json',
  'scripts/plan-resources.cjs',
];

/** Why .serverless must be rebuilt (missing, or older than its inputs), or null when it is fresh. */
export function packageStaleness(repoRoot: string): string | null {
  const outDir = join(repoRoot, '.serverless');
  const zips = existsSync(outDir) ? readdirSync(outDir).filter((f) => f.endsWith('.zip')) : [];
  if (zips.length === 0 || !existsSync(join(outDir, 'serverless-state.json')))
    return '.serverless is missing';
  const oldestZip = Math.min(...zips.map((f) => statSync(join(outDir, f)).mtimeMs));
  const newestInput = Math.max(...PACKAGE_INPUTS.map((p) => newestMtime(repoRoot, p)));
  return newestInput > oldestZip ? '.serverless is older than its sources' : null;
}
