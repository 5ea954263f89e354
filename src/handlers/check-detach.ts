import { checkDetach } from '../steps/check-detach.js';
import { checkDetachInput } from '../steps/contracts-operators.js';
import { defineStep } from './define-step.js';

export const handler = defineStep({ name: 'check-detach', input: checkDetachInput, run: checkDetach });
