import { verifyFailureInput } from '../steps/contracts.js';
import { verifyFailure } from '../steps/verify-failure.js';
import { defineStep } from './define-step.js';

export const handler = defineStep({ name: 'verify-failure', input: verifyFailureInput, run: verifyFailure });
