import type { z } from 'zod';
import type { checkReadinessOutput } from '../steps/contracts.js';

/**
 * What a human must do about the target's capacity after a real run that went on short of it (an
 * unplanned failover does not stop on a quota: partial capacity beats none). A dry run or a
 * refused planned move already lists the failed target-capacity check among its problems.
 */
export function capacityActions(
  readiness: z.infer<typeof checkReadinessOutput> | null,
  dryRun: boolean,
): string[] {
  const capacity = readiness?.capacity;
  if (dryRun || !capacity?.proceedsDespite) return [];
  // The detail carries the exact request-service-quota-increase command when a quota is short.
  const next = capacity.quotaIncreaseCommand
    ? 'Request the quota increase now (the command above), then check the services reach their counts'
    : 'Read the quota and usage by hand and request what is missing';
  return [
    `Capacity ${capacity.verdict === 'short' ? 'SHORT' : 'UNKNOWN'} in the target when the failover started; it went on with the capacity it could get: ${capacity.detail}. ${next} (runbooks/readiness-capacity.md).`,
  ];
}
