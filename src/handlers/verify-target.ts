import { verifyTargetInput } from '../steps/contracts.js';
import { verifyTarget } from '../steps/verify-target.js';
import { defineStep } from './define-step.js';

export const handler = defineStep({ name: 'verify-target', input: verifyTargetInput, run: verifyTarget });
