import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AwsRequestError } from '../errors.js';
import { registerClient } from './clients.js';
import { awsCall } from './translate.js';

// Builds this service's clients in ClientRegistry: bundled only where this module is (src/aws/clients.ts).
registerClient('sns', SNSClient);

/** SNS subjects (used as the e-mail subject) are limited to 100 characters. */
const MAX_SUBJECT = 100;

/** `arn:aws:sns:us-west-2:123456789012:name` → `us-west-2`. */
export function regionOfTopicArn(arn: string): string {
  return arn.split(':')[3] ?? '';
}

/**
 * SNS rejects a subject with line breaks or control characters, or one that does not start with
 * a letter, digit or punctuation; ours are built from plan names and regions, so only trimming
 * and whitespace need care.
 */
export function snsSubject(text: string): string {
  const plain = text
    .replace(/[^\x20-\x7e]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length <= MAX_SUBJECT ? plain : `${plain.slice(0, MAX_SUBJECT - 3)}...`;
}

/**
 * Publishes one message. The client must be in the topic's region: SNS does not publish to a
 * topic in another region. Returns the MessageId SNS assigned.
 */
export async function publishMessage(
  sns: SNSClient,
  message: { topicArn: string; subject: string; body: string },
): Promise<string> {
  const out = await awsCall('sns:Publish', () =>
    sns.send(
      new PublishCommand({
        TopicArn: message.topicArn,
        Subject: snsSubject(message.subject),
        Message: message.body,
      }),
    ),
  );
  if (!out.MessageId)
    throw new AwsRequestError(`sns:Publish: topic ${message.topicArn} returned no MessageId`);
  return out.MessageId;
}
