import { noteFailureInput } from '../recovery/contracts.js';
import { noteFailure } from '../steps/note-failure.js';
import { defineStep } from './define-step.js';
import { liveDepsWithEvents } from './with-events.js';

/** Publishes "Failover Step Failed" (src/events). */
export const handler = defineStep(
  { name: 'note-failure', input: noteFailureInput, run: noteFailure },
  liveDepsWithEvents,
);
