import { rollBackInput } from '../recovery/contracts.js';
import { rollBack } from '../steps/roll-back.js';
import { defineStep } from './define-step.js';
import { lockGuarded, lockTokenField } from './lock-guard.js';

export const handler = defineStep({
  name: 'roll-back',
  input: rollBackInput.extend(lockTokenField),
  run: lockGuarded(rollBack),
});
