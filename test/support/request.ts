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
