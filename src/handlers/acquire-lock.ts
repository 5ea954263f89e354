import { acquireLock } from '../steps/acquire-lock.js';
import { acquireLockInput } from '../steps/contracts-lock.js';
import { defineStep } from './define-step.js';
import { liveDepsWithEvents } from './with-events.js';

/** Publishes "Failover Started" while it takes the lock (src/events). */
export const handler = defineStep(
  { name: 'acquire-lock', input: acquireLockInput, run: acquireLock },
  liveDepsWithEvents,
);
