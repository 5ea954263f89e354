import { releaseLockInput } from '../steps/contracts-lock.js';
import { releaseLock } from '../steps/release-lock.js';
import { defineStep } from './define-step.js';

export const handler = defineStep({ name: 'release-lock', input: releaseLockInput, run: releaseLock });
