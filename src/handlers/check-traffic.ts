import { checkTraffic } from '../steps/check-traffic.js';
import { checkTrafficInput } from '../steps/contracts.js';
import { defineStep } from './define-step.js';

export const handler = defineStep({ name: 'check-traffic', input: checkTrafficInput, run: checkTraffic });
