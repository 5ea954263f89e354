import {
  EventBridgeClient,
  EventBridgeServiceException,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientRegistry } from '../../src/aws/clients.js';
import { momentDetail } from '../../src/events/build.js';
import { eventBridgePublisher } from '../../src/events/publish.js';
import { awsError } from '../support/aws.js';
import { executionRequest } from '../support/execution-state.js';

const AT = new Date('2026-11-22T03:00:01.000Z');
const started = () =>
  momentDetail('started', { ...executionRequest, mode: 'automatic' }, AT, 'us-west-2', {
    summary: 'started',
  });

describe('eventBridgePublisher', () => {
  const eventBridgeMock = mockClient(EventBridgeClient);
  afterEach(() => eventBridgeMock.reset());

  const publish = () => {
    const { detailType, detail } = started();
    return eventBridgePublisher(new ClientRegistry(), 'us-west-2').publish(detailType, detail);
  };

  it('returns the EventId EventBridge gave the entry', async () => {
    eventBridgeMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    expect(await publish()).toMatchObject({ published: true, eventId: 'e-1' });
    expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  it('sends an entry EventBridge failed with a retryable code once more', async () => {
    eventBridgeMock
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'oops' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-2' }] });

    expect(await publish()).toMatchObject({ published: true, eventId: 'e-2' });
    expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 2);
  });

  it('gives up on an entry refused for good, and says why', async () => {
    eventBridgeMock.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [
        { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source' },
      ],
    });

    expect(await publish()).toMatchObject({
      published: false,
      reason: 'PutEvents: entry not taken: NotAuthorizedForSourceException: Not authorized for the source',
    });
    expect(eventBridgeMock).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  it('absorbs an error the SDK gave up on', async () => {
    eventBridgeMock
      .on(PutEventsCommand)
      .rejects(awsError(EventBridgeServiceException, 'AccessDeniedException', 400));

    expect(await publish()).toMatchObject({
      published: false,
      reason: expect.stringMatching(/^PutEvents: AccessDenied/),
    });
  });

  it('publishes nothing when it does not know its region', async () => {
    const { detailType, detail } = started();

    const outcome = await eventBridgePublisher(new ClientRegistry(), '').publish(detailType, detail);

    expect(outcome).toMatchObject({ published: false, reason: expect.stringMatching(/AWS_REGION/) });
    expect(eventBridgeMock).not.toHaveReceivedAnyCommand();
  });
});
