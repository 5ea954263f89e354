import { shiftInput } from '../steps/contracts.js';
import { shiftTraffic } from '../steps/shift-traffic.js';
import { defineStep } from './define-step.js';

export const handler = defineStep({ name: 'shift-traffic', input: shiftInput, run: shiftTraffic });
