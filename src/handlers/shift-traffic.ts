import { shiftInput } from '../steps/contracts.js';
import { shiftTraffic } from '../steps/shift-traffic.js';
import { defineStep } from './define-step.js';
import { lockGuarded, lockTokenField } from './lock-guard.js';

export const handler = defineStep({
  name: 'shift-traffic',
  input: shiftInput.extend(lockTokenField),
  run: lockGuarded(shiftTraffic),
});
