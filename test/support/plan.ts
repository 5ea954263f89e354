import { loadPlanFile } from '../../src/plan/load.js';
import type { FailoverPlan } from '../../src/plan/schema.js';

/** The example plan shipped in plans/dev.json, parsed fresh for each test that wants one. */
export function examplePlan(): FailoverPlan {
  return loadPlanFile('plans/dev.json');
}
