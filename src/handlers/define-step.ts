import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { awsClients, type ClientRegistry } from '../aws/clients.js';
import type { AuthoritativeResolver } from '../dns-answers/resolver.js';
import { InputInvalidError } from '../errors.js';
import type { FailoverEvents } from '../events/types.js';
import { currentPlan, formatIssues } from '../plan/load.js';
import type { FailoverPlan } from '../plan/schema.js';
import { emitTimeline, logger } from '../timeline/emit.js';
import type { TimelineEvent } from '../timeline/types.js';

/** What every step's logic receives besides its input. Tests pass their own. */
export interface StepDeps {
  plan: FailoverPlan;
  clients: ClientRegistry;
  now: () => Date;
  /**
   * Asks the hosted zones' name servers what they answer. Absent: the process-wide
   * `authoritativeDns` (node:dns when deployed, the simulated name servers in a drill).
   */
  dns?: AuthoritativeResolver;
  /**
   * Publishes the execution's EventBridge events; absent, the step publishes none. Only the steps
   * that publish are given one (src/handlers/with-events.ts), so only their bundles carry the client.
   */
  events?: FailoverEvents;
}

export interface StepDefinition<I extends z.ZodType, O extends { timeline: TimelineEvent[] }> {
  name: string;
  input: I;
  run: (input: z.infer<I>, deps: StepDeps) => Promise<O>;
}

/** Dependencies of a deployed function: the packaged plan and the shared client registry. */
export function liveDeps(): StepDeps {
  return { plan: currentPlan(), clients: awsClients, now: () => new Date() };
}

/**
 * Wraps a step's logic as a Lambda handler: middleware first, handler last. The input is
 * validated with zod (a bad input is a bug in the state machine, reported with every field
 * named), and the step's timeline events are logged before its output goes back.
 */
export function defineStep<I extends z.ZodType, O extends { timeline: TimelineEvent[] }>(
  step: StepDefinition<I, O>,
  deps: () => StepDeps = liveDeps,
) {
  return middy<unknown, O, Error, Context>().handler(async (event) => {
    const parsed = step.input.safeParse(event);
    if (!parsed.success) {
      throw new InputInvalidError(
        `${step.name}: input is invalid: ${formatIssues(parsed.error.issues).join('; ')}`,
      );
    }
    const resolved = deps();
    const invokedAt = resolved.now().toISOString();
    try {
      const output = await step.run(parsed.data, resolved);
      // Polling steps carry their earlier events forward; log only this invocation's.
      emitTimeline(output.timeline.filter((e) => e.at >= invokedAt));
      return output;
    } catch (error) {
      // Step Functions keeps only Error and Cause: naming the step in the message is what lets
      // the report (and on-call reading the history) say where the execution stopped.
      if (error instanceof Error && !error.message.startsWith(`${step.name}: `)) {
        error.message = `${step.name}: ${error.message}`;
      }
      logger.error(`${step.name} failed`, error as Error);
      throw error;
    }
  });
}
