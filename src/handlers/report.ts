import { report, reportInput } from '../steps/report.js';
import { defineStep } from './define-step.js';
import { liveDepsWithEvents } from './with-events.js';

/** Publishes the outcome event (src/events) and the report's metrics. */
export const handler = defineStep({ name: 'report', input: reportInput, run: report }, liveDepsWithEvents);
