import { checkScale } from '../steps/check-scale.js';
import { checkScaleInput } from '../steps/contracts.js';
import { defineStep } from './define-step.js';

export const handler = defineStep({ name: 'check-scale', input: checkScaleInput, run: checkScale });
