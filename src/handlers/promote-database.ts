import { promoteInput } from '../steps/contracts.js';
import { promoteDatabase } from '../steps/promote-database.js';
import { defineStep } from './define-step.js';
import { lockGuarded, lockTokenField } from './lock-guard.js';

export const handler = defineStep({
  name: 'promote-database',
  input: promoteInput.extend(lockTokenField),
  run: lockGuarded(promoteDatabase),
});
