import {
  GetServiceQuotaCommand,
  ServiceQuotasClient,
  ServiceQuotasServiceException,
} from '@aws-sdk/client-service-quotas';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { readQuotaValue } from '../../src/aws/service-quotas.js';
import { FARGATE_ON_DEMAND_VCPU } from '../../src/decisions/quota.js';
import { AwsRequestError, AwsTransientError } from '../../src/errors.js';
import { awsError } from '../support/aws.js';
import { fixture } from '../support/fixtures.js';

describe('readQuotaValue', () => {
  const quotasMock = mockClient(ServiceQuotasClient);
  const client = new ServiceQuotasClient({ region: 'us-west-2' });

  afterEach(() => {
    quotasMock.reset();
  });

  it('reads the applied Fargate On-Demand vCPU quota by its service and quota code', async () => {
    // Prepare
    quotasMock
      .on(GetServiceQuotaCommand)
      .resolves(fixture('service-quotas/get-service-quota-fargate-vcpu.json'));

    // Act
    const value = await readQuotaValue(client, FARGATE_ON_DEMAND_VCPU);

    // Assess
    expect(value).toBe(4000);
    expect(quotasMock).toHaveReceivedCommandWith(GetServiceQuotaCommand, {
      ServiceCode: 'fargate',
      QuotaCode: 'L-3032A538',
    });
  });

  it('refuses a quota answered with an ErrorReason instead of a value, naming the reason', async () => {
    // Prepare
    quotasMock
      .on(GetServiceQuotaCommand)
      .resolves(fixture('service-quotas/get-service-quota-dependency-denied.json'));

    // Act
    const read = readQuotaValue(client, FARGATE_ON_DEMAND_VCPU);

    // Assess
    await expect(read).rejects.toThrow(AwsRequestError);
    await expect(read).rejects.toThrow(
      'GetServiceQuota(fargate L-3032A538): DEPENDENCY_ACCESS_DENIED_ERROR: The quota value could not be retrieved',
    );
  });

  it('reads a throttled or failing dependency as transient, to be retried', async () => {
    // Prepare: the denied fixture's shape, with the transient reason.
    const answer = fixture<{ Quota: { ErrorReason: { ErrorCode: string } } }>(
      'service-quotas/get-service-quota-dependency-denied.json',
    );
    answer.Quota.ErrorReason.ErrorCode = 'DEPENDENCY_THROTTLING_ERROR';
    quotasMock.on(GetServiceQuotaCommand).resolves(answer as never);

    // Act
    const read = readQuotaValue(client, FARGATE_ON_DEMAND_VCPU);

    // Assess
    await expect(read).rejects.toThrow(AwsTransientError);
  });

  it('refuses an answer without a value: never a number made up', async () => {
    // Prepare
    const answer = fixture<{ Quota: Record<string, unknown> }>(
      'service-quotas/get-service-quota-fargate-vcpu.json',
    );
    delete answer.Quota.Value;
    quotasMock.on(GetServiceQuotaCommand).resolves(answer);

    // Act, Assess
    await expect(readQuotaValue(client, FARGATE_ON_DEMAND_VCPU)).rejects.toThrow(
      'GetServiceQuota(fargate L-3032A538): the answer carries no quota value',
    );
  });

  it.each([
    ['AccessDeniedException', 400, AwsRequestError],
    ['NoSuchResourceException', 400, AwsRequestError],
    ['TooManyRequestsException', 400, AwsTransientError],
    ['ServiceException', 500, AwsTransientError],
  ])('translates %s (HTTP %d) to %s', async (name, status, errorClass) => {
    // Prepare
    quotasMock
      .on(GetServiceQuotaCommand)
      .rejects(awsError(ServiceQuotasServiceException, name, status, `${name} from test`));

    // Act, Assess
    await expect(readQuotaValue(client, FARGATE_ON_DEMAND_VCPU)).rejects.toThrow(errorClass);
  });
});
