/**
 * A benchmark worker process (started by pool.ts): runs the drills it is sent, one at a time,
 * and sends each result back. Drills fake the process's timers and share its SDK clients, so
 * parallel drills need separate processes; on two cores two workers halve the run.
 */
import { type Job, runJob } from './jobs.js';

process.on('message', (message: { job: Job } | { exit: true }) => {
  if ('exit' in message) process.exit(0);
  runJob(message.job).then(
    (result) => process.send?.({ result }),
    (error: Error) => process.send?.({ error: `${error.name}: ${error.message}\n${error.stack ?? ''}` }),
  );
});
process.send?.({ ready: true });
