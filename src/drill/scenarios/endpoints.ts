import type { DrillScenario } from '../scenario-types.js';

/** Endpoints that do not answer: a blackholed endpoint mid-step, bounded by the clients' timeouts. */
export const ENDPOINT_SCENARIOS: readonly DrillScenario[] = [];
