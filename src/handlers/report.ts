import { report, reportInput } from '../steps/report.js';
import { defineStep } from './define-step.js';

export const handler = defineStep({ name: 'report', input: reportInput, run: report });
