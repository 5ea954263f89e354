import * as z from 'zod';
import { normalize, normalizeInput } from '../steps/normalize-input.js';
import { defineStep } from './define-step.js';

/** The orchestrator's own region is where Lambda runs it: AWS_REGION, set by the runtime. */
const withOwnRegion = normalizeInput.extend({
  orchestratorRegion: z.string().default(() => process.env.AWS_REGION ?? ''),
});

export const handler = defineStep({ name: 'normalize-input', input: withOwnRegion, run: normalize });
