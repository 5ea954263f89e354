import type { DrillScenario } from '../scenario-types.js';

/** ECS and Application Auto Scaling as AWS runs them: scaling activities, suspended scalers. */
export const SCALING_SCENARIOS: readonly DrillScenario[] = [];
