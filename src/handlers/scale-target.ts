import { scaleInput } from '../steps/contracts.js';
import { scaleTarget } from '../steps/scale-target.js';
import { defineStep } from './define-step.js';
import { lockGuarded, lockTokenField } from './lock-guard.js';

export const handler = defineStep({
  name: 'scale-target',
  input: scaleInput.extend(lockTokenField),
  run: lockGuarded(scaleTarget),
});
