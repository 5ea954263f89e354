import type { z } from 'zod';
import { lockTable, noteComputeFailure } from '../aws/lock.js';
import { publishMoment, withPublication } from '../events/build.js';
import type { StepDeps } from '../handlers/define-step.js';
import type { NoteFailureOutput, noteFailureInput } from '../recovery/contracts.js';
import { event } from '../timeline/types.js';

/**
 * Keeps a compute-branch failure where it survives the Parallel being stopped: on the lock item
 * (src/aws/lock.ts noteComputeFailure). Best effort: a note that cannot be written loses only
 * the report's detail, never the failover.
 */
export async function noteFailure(
  input: z.infer<typeof noteFailureInput>,
  deps: StepDeps,
): Promise<NoteFailureOutput> {
  const { request, lockToken, failure } = input;
  const now = deps.now();
  const cause = causeText(failure.Cause);
  // Published beside the note: both are best effort, neither waits for the other.
  const published = publishMoment(deps.events, 'step-failed', request, now, {
    summary: `scale-target failed in ${request.targetRegion}: ${failure.Error}; the execution goes on to recover and report`,
    failure: { step: 'scale-target', error: failure.Error, cause },
  });
  let noted = false;
  if (lockToken !== null && lockToken !== undefined && request.dryRun !== true) {
    const table = lockTable();
    try {
      noted = await noteComputeFailure(
        deps.clients.forRegion(table.region).dynamodb,
        table,
        { plan: request.planName, holder: request.executionName, token: lockToken },
        { error: failure.Error, cause },
      );
    } catch {
      noted = false;
    }
  }
  const { detailType, outcome } = await published;
  return withPublication(
    {
      noted,
      timeline: [
        event(now, 'scale-target', 'failed', `${failure.Error}: ${cause.replace(/^[a-z-]+: /, '')}`, {
          noted,
        }),
      ],
    },
    detailType,
    outcome,
  );
}

function causeText(cause: string | undefined): string {
  const text = cause ?? '';
  try {
    const parsed = JSON.parse(text) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage.slice(0, 2000);
  } catch {
    // plain text
  }
  return text.slice(0, 2000);
}
