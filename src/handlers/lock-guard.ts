import * as z from 'zod';
import { assertLockHeld } from '../aws/lock.js';
import type { FailoverRequest } from '../steps/request.js';
import type { StepDeps } from './define-step.js';

/** The fencing token the state machine passes to every step that changes something. */
export const lockTokenField = { lockToken: z.number().int().nullable().optional() };

/**
 * Wraps a mutating step: before it acts, this execution must still hold the plan's lock with
 * the same token (a stale execution, or one whose lock expired and was taken over, must not
 * act). A dry run changes nothing and holds no lock. An input without a token comes from
 * outside the state machine (a test, a re-run by hand) and is not checked.
 */
export function lockGuarded<I extends { request: FailoverRequest; lockToken?: number | null | undefined }, O>(
  run: (input: I, deps: StepDeps) => Promise<O>,
): (input: I, deps: StepDeps) => Promise<O> {
  return async (input, deps) => {
    if (input.lockToken !== undefined && input.request.dryRun !== true) {
      await assertLockHeld(deps, input.request, input.lockToken);
    }
    return run(input, deps);
  };
}
