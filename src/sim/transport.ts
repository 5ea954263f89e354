import type { HandlerExecutionContext } from '@smithy/types';
import { type AwsErrorSpec, abortError, type ServiceName, THROTTLE_NAMES } from './errors.js';
import type { FaultRule } from './types.js';

/** The SDK client class a command came through, to the simulated service that answers it. */
export const SERVICE_BY_CLIENT: Readonly<Record<string, ServiceName>> = {
  RDSClient: 'rds',
  ECSClient: 'ecs',
  ApplicationAutoScalingClient: 'autoscaling',
  Route53Client: 'route53',
  Route53RecoveryClusterClient: 'arc',
  CloudWatchClient: 'cloudwatch',
  DynamoDBClient: 'dynamodb',
  SNSClient: 'sns',
  LambdaClient: 'lambda',
  ServiceQuotasClient: 'servicequotas',
  EventBridgeClient: 'eventbridge',
};

/** Route 53's API endpoint is global and lives in us-east-1, whatever region the client names. */
export const ROUTE53_ENDPOINT_REGION = 'us-east-1';

export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener?: (type: 'abort', listener: () => void) => void;
  removeEventListener?: (type: 'abort', listener: () => void) => void;
  /** The SDK's older AbortSignal has only this. */
  onabort?: unknown;
}

export function abortSignalOf(context: HandlerExecutionContext): AbortSignalLike | undefined {
  return context.__smithy_context?.abortSignal as AbortSignalLike | undefined;
}

/**
 * Waits `ms` of (virtual) time. Honouring the caller's abortSignal matters: a bounded call into a
 * failed region aborts, and a timer left behind would keep a drill's clock running.
 */
export function sleep(ms: number, signal: AbortSignalLike | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener?.('abort', onAbort);
      if (signal && !signal.addEventListener && signal.onabort === onAbort) signal.onabort = null;
      resolve();
    }, ms);
    if (signal?.addEventListener) signal.addEventListener('abort', onAbort);
    else if (signal) signal.onabort = onAbort;
  });
}

/** Scripted faults with their remaining counts; the caller's rules are never mutated. */
export class FaultBook {
  readonly #rules: { rule: FaultRule; left: number }[];

  constructor(rules: readonly FaultRule[]) {
    this.#rules = rules.map((rule) => ({ rule, left: rule.count }));
  }

  /** The first live rule matching this call, consumed by one; undefined when none matches. */
  take(command: string, region: string, at: number): FaultRule['error'] | undefined {
    const hit = this.#rules.find(
      ({ rule, left }) =>
        left > 0 && rule.command === command && (rule.region ?? region) === region && (rule.from ?? at) <= at,
    );
    if (!hit) return undefined;
    hit.left--;
    return hit.rule.error;
  }
}

/** The exception a fault rule stands for, named as the service really names it. */
export function faultSpec(
  error: Exclude<FaultRule['error'], 'timeout' | 'lost-response'>,
  service: ServiceName,
  requestId: string,
): AwsErrorSpec {
  if (error === 'throttle') {
    return {
      name: THROTTLE_NAMES[service],
      message: 'Rate exceeded',
      status: 400,
      fault: 'client',
      requestId,
    };
  }
  if (error === 'server-error') {
    return {
      name: 'InternalFailure',
      message: 'The request processing has failed because of an unknown error, exception or failure.',
      status: 500,
      fault: 'server',
      requestId,
    };
  }
  return { name: error.name, message: error.message, status: error.status, fault: error.fault, requestId };
}

/** Enough of an HTTP response for the middlewares above (signing checks `date` for clock skew). */
export function httpResponse(requestId: string): { statusCode: number; headers: Record<string, string> } {
  return {
    statusCode: 200,
    headers: { 'x-amzn-requestid': requestId, date: new Date().toUTCString(), 'content-type': 'text/xml' },
  };
}
