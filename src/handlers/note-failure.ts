import { noteFailureInput } from '../recovery/contracts.js';
import { noteFailure } from '../steps/note-failure.js';
import { defineStep } from './define-step.js';

export const handler = defineStep({ name: 'note-failure', input: noteFailureInput, run: noteFailure });
