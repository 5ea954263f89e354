import { acquireLock } from '../steps/acquire-lock.js';
import { acquireLockInput } from '../steps/contracts-lock.js';
import { defineStep } from './define-step.js';

export const handler = defineStep({ name: 'acquire-lock', input: acquireLockInput, run: acquireLock });
