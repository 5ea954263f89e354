import { recordFoundInput } from '../recovery/contracts.js';
import { recordFound } from '../steps/record-found.js';
import { defineStep } from './define-step.js';

export const handler = defineStep({ name: 'record-found', input: recordFoundInput, run: recordFound });
