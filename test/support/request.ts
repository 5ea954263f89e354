import type { FailoverRequest } from '../../src/steps/request.js';

/** The request NormalizeInput builds for the example plan: us-east-1 has failed, move to us-west-2. */
export function failoverRequest(overrides: Partial<FailoverRequest> = {}): FailoverRequest {
  return {
    planName: 'orders',
    mode: 'automatic',
    sourceRegion: 'us-east-1',
    targetRegion: 'us-west-2',
    reason: 'orders-primary-unhealthy-from-us-west-2 in ALARM',
    requestedBy: 'alarm:orders-primary-unhealthy-from-us-west-2',
    detectedAt: '2024-05-14T10:05:12.000Z',
    executionName: 'orders-20240514T100512Z',
    ...overrides,
  };
}

/** The request as the scale and traffic step tests see it: a plain alarm at 14:01 on 2024-05-20. */
export function may20Request(overrides: Partial<FailoverRequest> = {}): FailoverRequest {
  return failoverRequest({
    requestedBy: 'alarm',
    detectedAt: '2024-05-20T14:01:00.000Z',
    executionName: 'orders-20240520T1401Z',
    ...overrides,
  });
}

/** The request as the promotion step tests see it: a plain alarm at 00:17 on 2025-11-22. */
export function nov22Request(overrides: Partial<FailoverRequest> = {}): FailoverRequest {
  return failoverRequest({
    requestedBy: 'alarm',
    detectedAt: '2025-11-22T00:17:00.000Z',
    executionName: 'orders-2025-11-22T00-17-00Z',
    ...overrides,
  });
}
