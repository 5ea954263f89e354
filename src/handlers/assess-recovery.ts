import { assessRecoveryInput } from '../recovery/contracts.js';
import { assessRecovery } from '../steps/assess-recovery.js';
import { defineStep } from './define-step.js';

export const handler = defineStep({
  name: 'assess-recovery',
  input: assessRecoveryInput,
  run: assessRecovery,
});
