import { drainTrafficInput } from '../steps/contracts-operators.js';
import { drainTraffic } from '../steps/drain-traffic.js';
import { defineStep } from './define-step.js';
import { lockGuarded, lockTokenField } from './lock-guard.js';

export const handler = defineStep({
  name: 'drain-traffic',
  input: drainTrafficInput.extend(lockTokenField),
  run: lockGuarded(drainTraffic),
});
