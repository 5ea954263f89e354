import { invokeHookInput, runHook } from '../steps/invoke-hook.js';
import { defineStep } from './define-step.js';

/** One function for every hook point: the Task's `point` says which (src/plan/hooks.ts). */
export const handler = defineStep({ name: 'invoke-hook', input: invokeHookInput, run: runHook });
