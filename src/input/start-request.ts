import { z } from 'zod';
import { regionSchema } from '../plan/schema.js';

/**
 * What an operator pastes into the Step Functions console (or `aws stepfunctions
 * start-execution --input`) to start a failover by hand. Versioned: a field is never
 * repurposed, a new meaning gets a new version.
 *
 *   { "version": 1, "mode": "manual", "targetRegion": "us-west-2",
 *     "reason": "us-east-1 degraded, AWS Health event 1234", "requestedBy": "jane@example.com" }
 */
export const startRequestV1Schema = z.strictObject({
  version: z.literal(1, { error: 'must be 1 (the only version of the start input)' }),
  mode: z.enum(['manual', 'planned'], {
    error: 'must be "manual" (failover, data loss allowed) or "planned" (switchover, no data loss)',
  }),
  targetRegion: regionSchema,
  reason: z.string().trim().min(3, { error: 'must say why (at least 3 characters)' }).max(500),
  requestedBy: z.string().trim().min(1, { error: 'must name who asked for it' }).max(200),
  /** true: every read and check, no change; the report lists readiness problems and what would be done. */
  dryRun: z.boolean({ error: 'must be true or false' }).optional(),
});
export type StartRequestV1 = z.infer<typeof startRequestV1Schema>;
