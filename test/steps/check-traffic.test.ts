import { GetChangeCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { DeadlineExceededError } from '../../src/errors.js';
import { checkTraffic } from '../../src/steps/check-traffic.js';
import type { ShiftOutput } from '../../src/steps/contracts.js';
import { testDeps } from '../support/deps.js';
import { fixture } from '../support/fixtures.js';
import { may20Request } from '../support/request.js';

const FIRST_POLL = new Date('2024-05-20T14:09:10.000Z');
const SECOND_POLL = new Date('2024-05-20T14:09:40.000Z');
const PAST_DEADLINE = new Date('2024-05-20T14:14:30.000Z');
const request = may20Request();
const shift: ShiftOutput = {
  records: [{ name: 'api.orders.example.com.', action: 'changed', changeId: 'C2682N5HXP0BZ4' }],
  startedAt: '2024-05-20T14:09:00.000Z',
  deadline: '2024-05-20T14:14:00.000Z',
  maxTtlSeconds: 60,
  timeline: [],
};

describe('checkTraffic', () => {
  const route53Mock = mockClient(Route53Client);

  afterEach(() => {
    route53Mock.reset();
  });

  it('waits while the change is PENDING, then succeeds once it is INSYNC', async () => {
    // Prepare
    route53Mock
      .on(GetChangeCommand)
      .resolvesOnce(fixture('route53/get-change-pending.json'))
      .resolvesOnce(fixture('route53/get-change-insync.json'));

    // Act
    const first = await checkTraffic({ request, shift }, testDeps(FIRST_POLL));
    const second = await checkTraffic({ request, shift, previous: first }, testDeps(SECOND_POLL));

    // Assess
    expect(route53Mock).toHaveReceivedCommandWith(GetChangeCommand, { Id: 'C2682N5HXP0BZ4' });
    expect(first.inSync).toBe(false);
    expect(second.inSync).toBe(true);
    expect(second.timeline).toEqual([
      expect.objectContaining({ step: 'shift-traffic', phase: 'progress', at: FIRST_POLL.toISOString() }),
      expect.objectContaining({
        step: 'shift-traffic',
        phase: 'succeeded',
        at: SECOND_POLL.toISOString(),
        facts: { changes: 1, inSync: 1, maxTtlSeconds: 60 },
      }),
    ]);
  });

  it('adds no event while nothing has changed since the last poll', async () => {
    // Prepare
    route53Mock.on(GetChangeCommand).resolves(fixture('route53/get-change-pending.json'));
    const previous = await checkTraffic({ request, shift }, testDeps(FIRST_POLL));

    // Act
    const output = await checkTraffic({ request, shift, previous }, testDeps(SECOND_POLL));

    // Assess
    expect(output.timeline).toEqual(previous.timeline);
  });

  it('asks once for a change id shared by several records', async () => {
    // Prepare
    route53Mock.on(GetChangeCommand).resolves(fixture('route53/get-change-insync.json'));
    const shared: ShiftOutput = {
      ...shift,
      records: [
        ...shift.records,
        { name: 'www.orders.example.com.', action: 'changed', changeId: 'C2682N5HXP0BZ4' },
      ],
    };

    // Act
    await checkTraffic({ request, shift: shared }, testDeps(FIRST_POLL));

    // Assess
    expect(route53Mock).toHaveReceivedCommandTimes(GetChangeCommand, 1);
  });

  it("gives a record found already pointing at the target Route 53's propagation time, then succeeds without a call", async () => {
    // Prepare: an earlier attempt may have changed it and lost the response (no change id).
    const nothingChanged: ShiftOutput = {
      ...shift,
      records: [{ name: 'api.orders.example.com.', action: 'already', changeId: null }],
    };
    const at = (seconds: number) => new Date(Date.parse(shift.startedAt) + seconds * 1000).toISOString();

    // Act
    const early = await checkTraffic({ request, shift: nothingChanged }, testDeps(at(10)));
    const later = await checkTraffic({ request, shift: nothingChanged, previous: early }, testDeps(at(61)));

    // Assess
    expect(route53Mock).not.toHaveReceivedCommand(GetChangeCommand);
    expect(early.inSync).toBe(false);
    expect(later.inSync).toBe(true);
    expect(later.timeline.at(-1)).toMatchObject({ phase: 'succeeded' });
  });

  it('fails past the deadline naming the change still PENDING', async () => {
    // Prepare
    route53Mock.on(GetChangeCommand).resolves(fixture('route53/get-change-pending.json'));

    // Act
    const checked = checkTraffic({ request, shift }, testDeps(PAST_DEADLINE));

    // Assess
    await expect(checked).rejects.toThrow(DeadlineExceededError);
    await expect(checked).rejects.toThrow('C2682N5HXP0BZ4 for api.orders.example.com. still PENDING');
  });

  describe('in a dry run', () => {
    it('is in sync at once after a dry-run shift, without calling Route 53', async () => {
      // Prepare
      const dryRunShift: ShiftOutput = {
        ...shift,
        records: [{ name: 'api.orders.example.com.', action: 'changed', changeId: null }],
        dryRun: true,
      };

      // Act
      const output = await checkTraffic(
        { request: { ...request, dryRun: true }, shift: dryRunShift },
        testDeps(FIRST_POLL),
      );

      // Assess
      expect(route53Mock).not.toHaveReceivedAnyCommand();
      expect(output).toEqual({
        inSync: true,
        timeline: [
          {
            at: FIRST_POLL.toISOString(),
            step: 'shift-traffic',
            phase: 'dry-run',
            message: 'dry run: no DNS change was sent; nothing to wait for',
            facts: { changes: 0, maxTtlSeconds: 60 },
          },
        ],
      });
    });
  });
});
