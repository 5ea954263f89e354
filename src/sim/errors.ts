import * as autoscaling from '@aws-sdk/client-application-auto-scaling';
import * as cloudwatch from '@aws-sdk/client-cloudwatch';
import * as dynamodb from '@aws-sdk/client-dynamodb';
import * as ecs from '@aws-sdk/client-ecs';
import * as eventbridge from '@aws-sdk/client-eventbridge';
import * as lambda from '@aws-sdk/client-lambda';
import * as rds from '@aws-sdk/client-rds';
import * as route53 from '@aws-sdk/client-route-53';
import * as arc from '@aws-sdk/client-route53-recovery-cluster';
import * as servicequotas from '@aws-sdk/client-service-quotas';
import * as sns from '@aws-sdk/client-sns';

export type ServiceName =
  | 'rds'
  | 'ecs'
  | 'autoscaling'
  | 'route53'
  | 'arc'
  | 'cloudwatch'
  | 'dynamodb'
  | 'sns'
  | 'lambda'
  | 'servicequotas'
  | 'eventbridge';

type ExceptionCtor = new (options: Record<string, unknown>) => Error;

/**
 * The SDK's own exception classes, so code under drill can use `instanceof` exactly as it would
 * against AWS. Names a service does not model (RDS 'Throttling', 'InternalFailure') become the
 * service's base exception carrying that name, which is what the SDK's deserializer does too.
 */
const EXCEPTIONS: Record<ServiceName, { module: Record<string, unknown>; base: ExceptionCtor }> = {
  rds: { module: rds, base: rds.RDSServiceException as unknown as ExceptionCtor },
  ecs: { module: ecs, base: ecs.ECSServiceException as unknown as ExceptionCtor },
  autoscaling: {
    module: autoscaling,
    base: autoscaling.ApplicationAutoScalingServiceException as unknown as ExceptionCtor,
  },
  route53: { module: route53, base: route53.Route53ServiceException as unknown as ExceptionCtor },
  arc: { module: arc, base: arc.Route53RecoveryClusterServiceException as unknown as ExceptionCtor },
  cloudwatch: { module: cloudwatch, base: cloudwatch.CloudWatchServiceException as unknown as ExceptionCtor },
  dynamodb: { module: dynamodb, base: dynamodb.DynamoDBServiceException as unknown as ExceptionCtor },
  sns: { module: sns, base: sns.SNSServiceException as unknown as ExceptionCtor },
  lambda: { module: lambda, base: lambda.LambdaServiceException as unknown as ExceptionCtor },
  servicequotas: {
    module: servicequotas,
    base: servicequotas.ServiceQuotasServiceException as unknown as ExceptionCtor,
  },
  eventbridge: {
    module: eventbridge,
    base: eventbridge.EventBridgeServiceException as unknown as ExceptionCtor,
  },
};

/**
 * The exception each service really raises when it throttles (all with HTTP 400). DynamoDB's
 * item commands throttle with ProvisionedThroughputExceededException; SNS's `Throttled` code
 * surfaces as ThrottledException.
 */
export const THROTTLE_NAMES: Record<ServiceName, string> = {
  rds: 'Throttling',
  ecs: 'ThrottlingException',
  autoscaling: 'ThrottlingException',
  route53: 'Throttling',
  arc: 'ThrottlingException',
  cloudwatch: 'Throttling',
  dynamodb: 'ProvisionedThroughputExceededException',
  sns: 'ThrottledException',
  // Lambda API Reference, Invoke errors: TooManyRequestsException, HTTP 429.
  lambda: 'TooManyRequestsException',
  // Service Quotas API Reference, GetServiceQuota errors: TooManyRequestsException.
  servicequotas: 'TooManyRequestsException',
  // EventBridge API Reference, common errors: ThrottlingException, HTTP 400.
  eventbridge: 'ThrottlingException',
};

export interface AwsErrorSpec {
  name: string;
  message: string;
  status: number;
  fault: 'client' | 'server';
  requestId: string;
  /** Modeled members of the exception, e.g. InvalidChangeBatch `messages`. */
  extra?: Record<string, unknown>;
}

export function awsError(service: ServiceName, spec: AwsErrorSpec): Error {
  const { module, base } = EXCEPTIONS[service];
  const $metadata = {
    httpStatusCode: spec.status,
    requestId: spec.requestId,
    attempts: 1,
    totalRetryDelay: 0,
  };
  const candidate = module[spec.name];
  const modeled =
    typeof candidate === 'function' && (candidate as ExceptionCtor).prototype instanceof base
      ? (candidate as ExceptionCtor)
      : undefined;
  const error = modeled
    ? new modeled({ message: spec.message, $metadata, ...spec.extra })
    : new base({ name: spec.name, $fault: spec.fault, message: spec.message, $metadata, ...spec.extra });
  return Object.assign(error, { $fault: spec.fault });
}

/** What the SDK throws when the caller's abortSignal fires mid-request. */
export function abortError(): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError' });
}

/** A command the simulated cloud has no model for: fails loudly so the gap is obvious. */
export class SimulatorGapError extends Error {
  override readonly name = 'SimulatorGapError';
}

/** Thrown by a handler; the transport turns it into the service's exception with a request id. */
export class SimFault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}
