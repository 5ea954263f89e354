import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Job, JobResult } from './jobs.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

type Message = { ready: true } | { result: JobResult } | { error: string };

/**
 * Runs drill jobs on `workers` worker processes, longest first (the caller orders them), handing
 * each worker its next job as it finishes one. Each worker's stderr is collected (the SDK and
 * Node warnings a drill may print) and returned once, deduplicated, instead of interleaving with
 * the progress lines.
 */
export async function runPool(
  jobs: readonly Job[],
  options: { workers: number; onResult?: (result: JobResult, done: number, total: number) => void },
): Promise<{ results: JobResult[]; warnings: string[] }> {
  const queue = [...jobs];
  const results: JobResult[] = [];
  const warnings = new Set<string>();
  const count = Math.max(1, Math.min(options.workers, jobs.length));
  const children: ChildProcess[] = [];

  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const child = fork(WORKER, [], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      });
      children.push(child);
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) {
          const text = line.replace(/^\(node:\d+\) /, '').trim();
          if (text && !text.startsWith('(Use `node --trace-warnings')) warnings.add(text);
        }
      });
      const next = () => {
        const job = queue.shift();
        // A worker may hold handles a drill left open: it is told to exit rather than left to drain.
        child.send(job ? { job } : { exit: true });
      };
      child.on('message', (message: Message) => {
        if ('error' in message) {
          reject(new Error(`a benchmark drill failed in its worker: ${message.error}`));
          child.kill();
          return;
        }
        if ('result' in message) {
          results.push(message.result);
          options.onResult?.(message.result, results.length, jobs.length);
        }
        next();
      });
      child.on('exit', (code) => {
        if (code === 0 || code === null) resolve();
        else reject(new Error(`a benchmark worker exited with code ${code}`));
      });
      child.on('error', reject);
    });

  try {
    await Promise.all(Array.from({ length: count }, runWorker));
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
  return { results, warnings: [...warnings] };
}
