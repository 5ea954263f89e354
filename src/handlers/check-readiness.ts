import { checkReadiness } from '../steps/check-readiness.js';
import { checkReadinessInput } from '../steps/contracts.js';
import { defineStep } from './define-step.js';

export const handler = defineStep({
  name: 'check-readiness',
  input: checkReadinessInput,
  run: checkReadiness,
});
