import type { DrillScenario } from '../scenario-types.js';

/** Aurora as AWS runs it: slow and eventually consistent promotions, asynchronous detach, engine versions. */
export const AURORA_SCENARIOS: readonly DrillScenario[] = [];
