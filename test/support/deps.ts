import { ClientRegistry } from '../../src/aws/clients.js';
import type { StepDeps } from '../../src/handlers/define-step.js';
import type { FailoverPlan } from '../../src/plan/schema.js';
import { recordUpsertPlan } from './plan.js';

/**
 * Step dependencies for unit tests: a plan, fresh clients (mocked by the test) and a clock fixed
 * at `now`. The plan is the example plan with its records on record-upsert unless given: the
 * step tests mock Route 53; those of the routing-control path pass examplePlan() and mock ARC.
 */
export function testDeps(
  now: string | Date = '2026-11-22T03:00:00.000Z',
  plan: FailoverPlan = recordUpsertPlan(),
): StepDeps {
  return { plan, clients: new ClientRegistry(), now: () => new Date(now) };
}

/** testDeps, with calls into the failed region given up after `failedRegionCallMs` when that is set. */
export function testDepsBounded(now: string | Date, failedRegionCallMs?: number): StepDeps {
  const deps = testDeps(now);
  if (failedRegionCallMs !== undefined) deps.plan.timeouts.failedRegionCallMs = failedRegionCallMs;
  return deps;
}
