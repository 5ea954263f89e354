import type { DrillScenario } from './scenario-types.js';
import { AURORA_SCENARIOS } from './scenarios/aurora.js';
import { CORE_SCENARIOS } from './scenarios/core.js';
import { DATABASE_SCENARIOS } from './scenarios/databases.js';
import { ENDPOINT_SCENARIOS } from './scenarios/endpoints.js';
import { EVENT_SCENARIOS } from './scenarios/events.js';
import { FAULT_SCENARIOS } from './scenarios/faults.js';
import { HOOK_SCENARIOS } from './scenarios/hooks.js';
import { LOCK_SCENARIOS } from './scenarios/lock.js';
import { NEVER_WORSE_SCENARIOS } from './scenarios/never-worse.js';
import { OPERATOR_SCENARIOS } from './scenarios/operators.js';
import { QUOTA_SCENARIOS } from './scenarios/quotas.js';
import { SCALING_SCENARIOS } from './scenarios/scaling.js';
import { TRAFFIC_SCENARIOS } from './scenarios/traffic.js';

export type { DrillScenario, ScenarioContext } from './scenario-types.js';
export { alarmEvent } from './scenario-types.js';

/** Every drill scenario: `npm start -- --scenario NAME` runs one, `npm run drills` runs them all. */
export const SCENARIOS: readonly DrillScenario[] = [
  ...CORE_SCENARIOS,
  ...OPERATOR_SCENARIOS,
  ...FAULT_SCENARIOS,
  ...NEVER_WORSE_SCENARIOS,
  ...TRAFFIC_SCENARIOS,
  ...AURORA_SCENARIOS,
  ...SCALING_SCENARIOS,
  ...ENDPOINT_SCENARIOS,
  ...DATABASE_SCENARIOS,
  ...HOOK_SCENARIOS,
  ...EVENT_SCENARIOS,
  ...QUOTA_SCENARIOS,
  ...LOCK_SCENARIOS,
];

export function findScenario(name: string): DrillScenario {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) {
    throw new Error(`unknown scenario "${name}"; scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  return scenario;
}
