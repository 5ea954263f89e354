import { ClientRegistry } from '../../src/aws/clients.js';
import type { StepDeps } from '../../src/handlers/define-step.js';
import { examplePlan } from './plan.js';

/** Step dependencies for unit tests: the example plan, fresh clients (mocked by the test), a fixed clock. */
export function testDeps(now = '2026-11-22T03:00:00.000Z'): StepDeps {
  return { plan: examplePlan(), clients: new ClientRegistry(), now: () => new Date(now) };
}
