import { readFileSync } from 'node:fs';
import { STATE_MACHINE_FILE } from '../drill/run-drill.js';
import { findScenario } from '../drill/scenarios.js';
import { computeFloor, type Floor, type PlannedWindow, plannedWindow } from './critical-path.js';
import { applyFanOut, type FanOutSize } from './fan-out-plan.js';
import { measureDrill } from './measure-drill.js';
import { sequentialTakeOver } from './sequential-asl.js';

/**
 * One drill the benchmark needs, and what it keeps of it. Jobs run in worker processes (a drill
 * fakes the process's clock and shares the process's SDK clients, so two cannot share a
 * process); results travel back as JSON.
 *
 *   outage    region-outage, the deployed state machine: RTO, its floor, cost counts
 *   baseline  region-outage, the sequential variant (sequential-asl.ts): RTO
 *   planned   planned-switchover: write-unavailable window, time to move, switchover, shift
 *   fanout    region-outage on a plan of a given size: RTO, transitions, invocations, calls
 */
export type Job =
  | { kind: 'outage' | 'baseline' | 'planned'; seed: number }
  | { kind: 'fanout'; seed: number; size: FanOutSize };

export interface JobResult {
  job: Job;
  status: string;
  outcome: string | null;
  rtoSeconds: number | null;
  startToVerifiedSeconds: number | null;
  floor: Floor | null;
  planned: PlannedWindow | null;
  statesEntered: number;
  stateRetries: number;
  invocations: { functionName: string; startedAt: number; endedAt: number }[];
  callsByCommand: Record<string, number>;
  metricsRequested: number;
  virtualSeconds: number;
  /** Real time the drill took in its worker. */
  wallMs: number;
}

let sequential: object | undefined;
/** The baseline definition, built once per worker from the deployed file. */
function sequentialDefinition(): object {
  const built = sequential ?? sequentialTakeOver(JSON.parse(readFileSync(STATE_MACHINE_FILE, 'utf8')));
  sequential = built;
  return built;
}

export async function runJob(job: Job): Promise<JobResult> {
  const started = performance.now();
  const outage = findScenario('region-outage');
  const measure =
    job.kind === 'planned'
      ? await measureDrill(findScenario('planned-switchover'), { seed: job.seed })
      : job.kind === 'baseline'
        ? await measureDrill(outage, { seed: job.seed, definition: sequentialDefinition() })
        : job.kind === 'fanout'
          ? // The fan-out figures need no floor: no extra observation (it costs real time on big plans).
            await measureDrill(
              {
                ...outage,
                plan: (raw) => {
                  outage.plan?.(raw);
                  applyFanOut(raw, job.size);
                },
              },
              { seed: job.seed, pollMs: 0 },
            )
          : await measureDrill(outage, { seed: job.seed });
  return {
    job,
    status: measure.status,
    outcome: measure.outcome,
    rtoSeconds: measure.rtoSeconds,
    startToVerifiedSeconds: measure.startToVerifiedSeconds,
    floor: job.kind === 'outage' || job.kind === 'baseline' ? computeFloor(measure.trace) : null,
    planned: job.kind === 'planned' ? plannedWindow(measure.trace) : null,
    statesEntered: measure.statesEntered,
    stateRetries: measure.stateRetries,
    invocations: measure.invocations.map(({ functionName, startedAt, endedAt }) => ({
      functionName,
      startedAt,
      endedAt,
    })),
    callsByCommand: measure.callsByCommand,
    metricsRequested: measure.metricsRequested,
    virtualSeconds: measure.virtualSeconds,
    wallMs: performance.now() - started,
  };
}
