import * as z from 'zod';
import { regionSchema } from '../plan/schema.js';
import { safetyRuleArnSchema } from '../plan/traffic.js';

/**
 * What an operator pastes into the Step Functions console (or `aws stepfunctions
 * start-execution --input`) to start a failover by hand. Versioned: a field is never
 * repurposed, a new meaning gets a new version.
 *
 *   { "version": 1, "mode": "manual", "targetRegion": "us-west-2",
 *     "reason": "us-east-1 degraded, AWS Health event 1234", "requestedBy": "jane@example.com" }
 *
 * A manual start may add "safetyRulesToOverride": ["arn:aws:route53-recovery-control::...:safetyrule/..."].
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
  /**
   * Manual starts only: the Route 53 ARC safety rules (ARNs) the routing control change may
   * override (SafetyRulesToOverride), when a human has decided to fail over although a rule
   * refuses it (runbooks/arc-safety-rule.md). On the record and in the report. An automatic
   * failover never overrides a rule.
   */
  safetyRulesToOverride: z
    .array(safetyRuleArnSchema)
    .min(1, { error: 'must name at least one rule, or be left out' })
    .max(10)
    .optional(),
});
export type StartRequestV1 = z.infer<typeof startRequestV1Schema>;
