import { detachTargetInput } from '../steps/contracts-operators.js';
import { detachTarget } from '../steps/detach-target.js';
import { defineStep } from './define-step.js';
import { lockGuarded, lockTokenField } from './lock-guard.js';

export const handler = defineStep({
  name: 'detach-target',
  input: detachTargetInput.extend(lockTokenField),
  run: lockGuarded(detachTarget),
});
