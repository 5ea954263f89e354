import * as z from 'zod';
import { requestApprovalInput } from '../steps/contracts-operators.js';
import { requestApproval } from '../steps/request-approval.js';
import { defineStep } from './define-step.js';
import { liveDepsWithEvents } from './with-events.js';

/**
 * The approval topic must be in the orchestrator's own region: AWS_REGION, set by the Lambda
 * runtime. Invoked with `.waitForTaskToken`, so the input is the task's Payload.
 */
const withOwnRegion = requestApprovalInput.extend({
  orchestratorRegion: z
    .string()
    .default(() => process.env.AWS_REGION ?? '')
    .pipe(z.string().min(1, { error: 'is unknown (AWS_REGION is not set)' })),
});

/** Publishes "Failover Approval Requested" once the message is out (src/events). */
export const handler = defineStep(
  { name: 'request-approval', input: withOwnRegion, run: requestApproval },
  liveDepsWithEvents,
);
