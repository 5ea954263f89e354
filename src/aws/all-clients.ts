import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53RecoveryClusterClient } from '@aws-sdk/client-route53-recovery-cluster';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { registerClient } from './clients.js';

/**
 * Registers every kind of client with ClientRegistry (src/aws/clients.ts) at once, for code that
 * may read any of them whatever it imports: the unit tests (test/setup.ts; a test may vi.mock a
 * service module, and its registration with it). Never import it from a step or a handler: it
 * puts every SDK client back into every Lambda bundle. A step imports the module that calls its
 * service, which registers that client (CLIENT_REGISTRARS); test/deploy/bundles.test.ts checks
 * each function's bundle for it.
 */
registerClient('rds', RDSClient);
registerClient('ecs', ECSClient);
registerClient('autoscaling', ApplicationAutoScalingClient);
registerClient('cloudwatch', CloudWatchClient);
registerClient('sfn', SFNClient);
registerClient('dynamodb', DynamoDBClient);
registerClient('sns', SNSClient);
registerClient('serviceQuotas', ServiceQuotasClient);
registerClient('eventbridge', EventBridgeClient);
registerClient('route53', Route53Client);
registerClient('routingControlCluster', Route53RecoveryClusterClient);
registerClient('lambda', LambdaClient);
