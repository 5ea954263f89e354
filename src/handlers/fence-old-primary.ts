import { fenceInput } from '../steps/contracts.js';
import { fenceOldPrimary } from '../steps/fence-old-primary.js';
import { defineStep } from './define-step.js';
import { lockGuarded, lockTokenField } from './lock-guard.js';

export const handler = defineStep({
  name: 'fence-old-primary',
  input: fenceInput.extend(lockTokenField),
  run: lockGuarded(fenceOldPrimary),
});
