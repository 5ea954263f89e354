import { promoteInput } from '../steps/contracts.js';
import { promoteDatabase } from '../steps/promote-database.js';
import { defineStep } from './define-step.js';

export const handler = defineStep({ name: 'promote-database', input: promoteInput, run: promoteDatabase });
