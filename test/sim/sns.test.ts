import { InvalidParameterException, PublishCommand } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from 'vitest';
import { type Drill, PRIMARY, STANDBY, startDrill, T0 } from './harness.js';

const TOPIC = 'arn:aws:sns:us-west-2:123456789012:orders-failover';

describe('simulated SNS', () => {
  let drill: Drill;
  afterEach(() => drill.stop());

  it('records a published message with its subject, region and time', async () => {
    drill = startDrill();
    const out = await drill.run(
      drill.standby.sns.send(
        new PublishCommand({
          TopicArn: TOPIC,
          Subject: 'Failover awaiting approval',
          Message: 'Approve the failover of orders to us-west-2.',
          MessageAttributes: { plan: { DataType: 'String', StringValue: 'orders' } },
        }),
      ),
    );
    expect(out.MessageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(drill.cloud.snapshot().notifications).toEqual([
      {
        region: STANDBY,
        topicArn: TOPIC,
        subject: 'Failover awaiting approval',
        message: 'Approve the failover of orders to us-west-2.',
        at: expect.stringMatching(/^2026-11-22T03:00:00\.\d{3}Z$/),
      },
    ]);
    expect(Date.parse(drill.cloud.snapshot().notifications[0]?.at ?? '')).toBeGreaterThan(T0);
  });

  it('records a message without a subject as subject null', async () => {
    drill = startDrill();
    await drill.run(drill.standby.sns.send(new PublishCommand({ TopicArn: TOPIC, Message: 'done' })));
    expect(drill.cloud.snapshot().notifications[0]).toMatchObject({ subject: null, message: 'done' });
  });

  it.each([
    ['a topic in another region than the client', PRIMARY, { TopicArn: TOPIC, Message: 'x' }],
    ['an empty message', STANDBY, { TopicArn: TOPIC, Message: '' }],
    ['a subject with a line break', STANDBY, { TopicArn: TOPIC, Message: 'x', Subject: 'a\nb' }],
  ])('refuses %s with InvalidParameter', async (_case, region, input) => {
    drill = startDrill();
    const clients = region === PRIMARY ? drill.primary : drill.standby;
    const error = await drill.failure(clients.sns.send(new PublishCommand(input)));
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect(error.message).toMatch(/^Invalid parameter/);
    expect(drill.cloud.snapshot().notifications).toEqual([]);
  });
});
