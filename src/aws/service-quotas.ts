import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { AwsRequestError, AwsTransientError } from '../errors.js';
import { registerClient } from './clients.js';
import { awsCall } from './translate.js';

// Builds this service's clients in ClientRegistry: bundled only where this module is (src/aws/clients.ts),
// which is check-readiness alone (the scheduled readiness check and dry runs run through it).
registerClient('serviceQuotas', ServiceQuotasClient);

export interface QuotaRef {
  serviceCode: string;
  quotaCode: string;
}

const TRANSIENT_ERROR_REASONS = new Set(['DEPENDENCY_THROTTLING_ERROR', 'DEPENDENCY_SERVICE_ERROR']);

/**
 * The applied value of one quota in the client's region (GetServiceQuota). Service Quotas API
 * Reference, GetServiceQuota: "If the applied quota value is not available for a quota, the quota
 * is not retrieved", and a quota may come back with an ErrorReason (DEPENDENCY_ACCESS_DENIED_ERROR,
 * DEPENDENCY_THROTTLING_ERROR, DEPENDENCY_SERVICE_ERROR, SERVICE_QUOTA_NOT_AVAILABLE_ERROR)
 * instead of a value: an AwsRequestError here (AwsTransientError for the two transient causes),
 * never a number made up.
 */
export async function readQuotaValue(
  client: ServiceQuotasClient,
  quota: QuotaRef,
  options: { abortSignal?: AbortSignal } = {},
): Promise<number> {
  const operation = `GetServiceQuota(${quota.serviceCode} ${quota.quotaCode})`;
  const answer = await awsCall(operation, () =>
    client.send(
      new GetServiceQuotaCommand({ ServiceCode: quota.serviceCode, QuotaCode: quota.quotaCode }),
      options,
    ),
  );
  const reason = answer?.Quota?.ErrorReason;
  if (reason?.ErrorCode) {
    const message = `${operation}: ${reason.ErrorCode}: ${reason.ErrorMessage ?? 'no detail'}`;
    // The Service Quotas API Reference (ErrorReason) names two transient causes: a throttled or
    // failing dependency. Those are retried like any throttle; the others are a real answer.
    if (TRANSIENT_ERROR_REASONS.has(reason.ErrorCode)) throw new AwsTransientError(message);
    throw new AwsRequestError(message);
  }
  const value = answer?.Quota?.Value;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new AwsRequestError(`${operation}: the answer carries no quota value`);
  }
  return value;
}
