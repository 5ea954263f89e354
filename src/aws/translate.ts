import { AwsRequestError, AwsTransientError, FailoverError } from '../errors.js';

/** Error names AWS services use for throttling, timeouts and brief unavailability. */
const TRANSIENT_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'PriorRequestNotComplete', // Route 53: a change is still being applied
  'ProvisionedThroughputExceededException', // DynamoDB
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'ServerException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
}

export function isTransientAwsError(error: unknown): boolean {
  const e = (error ?? {}) as SdkErrorShape;
  if (e.name && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.code && TRANSIENT_NAMES.has(e.code)) return true;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  return e.$fault === 'server' || status === 429 || (status !== undefined && status >= 500);
}

/**
 * Translates whatever an SDK call threw into a domain error whose `name` the state machine
 * matches: AwsTransientError is retried with backoff, AwsRequestError goes to the failure path.
 * Domain errors pass through unchanged.
 */
export function translateAwsError(error: unknown, operation: string): FailoverError {
  if (error instanceof FailoverError) return error;
  const e = (error ?? {}) as SdkErrorShape;
  const detail = `${operation}: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
  return isTransientAwsError(error)
    ? new AwsTransientError(detail, { cause: error })
    : new AwsRequestError(detail, { cause: error });
}

/** Runs one SDK call and translates its failure. */
export async function awsCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateAwsError(error, operation);
  }
}
