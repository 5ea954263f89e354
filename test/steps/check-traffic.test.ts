import { GetChangeCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineExceededError } from '../../src/errors.js';
import { checkTraffic } from '../../src/steps/check-traffic.js';
import type { ShiftOutput } from '../../src/steps/contracts.js';
import { hang } from '../support/aws.js';
import { testDeps } from '../support/deps.js';
import { type FakeNameServers, fakeNameServers } from '../support/dns.js';
import { fixture } from '../support/fixtures.js';
import { USE1_ALB, USW2_ALB } from '../support/plan.js';
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
/** A record found already pointing at the target: an earlier attempt may have changed it (no change id). */
const retriedShift: ShiftOutput = {
  ...shift,
  records: [{ name: 'api.orders.example.com.', action: 'already', changeId: null }],
};
const SOURCE_ANSWERS =
  'api.orders.example.com. still sends clients to us-east-1 (0 answer(s) to us-west-2, 32 to us-east-1)';

/** Step dependencies at `now`, with the name servers answering as `nameServers` says. */
const deps = (now: Date | string, nameServers: FakeNameServers) => ({ ...testDeps(now), dns: nameServers });

describe('checkTraffic', () => {
  const route53Mock = mockClient(Route53Client);
  let nameServers: FakeNameServers;

  beforeEach(() => {
    nameServers = fakeNameServers(USE1_ALB);
  });

  afterEach(() => {
    route53Mock.reset();
    vi.useRealTimers();
  });

  it('waits while the change is PENDING, then succeeds once it is INSYNC and the name servers answer the target', async () => {
    // Prepare
    route53Mock
      .on(GetChangeCommand)
      .resolvesOnce(fixture('route53/get-change-pending.json'))
      .resolvesOnce(fixture('route53/get-change-insync.json'));

    // Act
    const first = await checkTraffic({ request, shift }, deps(FIRST_POLL, nameServers));
    nameServers.answer(USW2_ALB);
    const second = await checkTraffic({ request, shift, previous: first }, deps(SECOND_POLL, nameServers));

    // Assess
    expect(route53Mock).toHaveReceivedCommandWith(GetChangeCommand, { Id: 'C2682N5HXP0BZ4' });
    expect(first.inSync).toBe(false);
    expect(second.inSync).toBe(true);
    expect(second.timeline).toEqual([
      expect.objectContaining({
        step: 'shift-traffic',
        phase: 'progress',
        at: FIRST_POLL.toISOString(),
        message: `1 of 1 DNS change(s) PENDING; ${SOURCE_ANSWERS}`,
      }),
      {
        step: 'shift-traffic',
        phase: 'succeeded',
        at: SECOND_POLL.toISOString(),
        message:
          '1 DNS change(s) INSYNC; the name servers send clients to us-west-2 only; clients may keep the old answer up to 60 s',
        facts: { changes: 1, inSync: 1, answers: 'api.orders.example.com.=target', maxTtlSeconds: 60 },
      },
    ]);
    expect(second.answers).toEqual([
      expect.objectContaining({ name: 'api.orders.example.com.', verdict: 'target', target: 32, source: 0 }),
    ]);
  });

  it("asks every one of the zone's name servers for the record", async () => {
    // Prepare
    route53Mock.on(GetChangeCommand).resolves(fixture('route53/get-change-insync.json'));

    // Act
    await checkTraffic({ request, shift }, deps(FIRST_POLL, nameServers));

    // Assess
    expect(new Set(nameServers.asked.map((q) => `${q.nameServer} ${q.name} ${q.type}`))).toEqual(
      new Set([
        'ns-1324.awsdns-37.org api.orders.example.com. CNAME',
        'ns-1822.awsdns-35.co.uk api.orders.example.com. CNAME',
        'ns-392.awsdns-49.com api.orders.example.com. CNAME',
        'ns-718.awsdns-25.net api.orders.example.com. CNAME',
      ]),
    );
  });

  it('is not in sync while the change is INSYNC but the name servers still answer the source', async () => {
    // Prepare
    route53Mock.on(GetChangeCommand).resolves(fixture('route53/get-change-insync.json'));

    // Act
    const output = await checkTraffic({ request, shift }, deps(FIRST_POLL, nameServers));

    // Assess
    expect(output.inSync).toBe(false);
    expect(output.timeline.at(-1)).toMatchObject({
      phase: 'progress',
      message: `waiting for the name servers; ${SOURCE_ANSWERS}`,
      facts: { inSync: 1, answers: 'api.orders.example.com.=source' },
    });
  });

  it('adds no event while nothing has changed since the last poll', async () => {
    // Prepare
    route53Mock.on(GetChangeCommand).resolves(fixture('route53/get-change-pending.json'));
    const previous = await checkTraffic({ request, shift }, deps(FIRST_POLL, nameServers));

    // Act
    const output = await checkTraffic({ request, shift, previous }, deps(SECOND_POLL, nameServers));

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
    await checkTraffic({ request, shift: shared }, deps(FIRST_POLL, nameServers));

    // Assess
    expect(route53Mock).toHaveReceivedCommandTimes(GetChangeCommand, 1);
  });

  it('waits for the answers after a retried shift found the records already changed, however long that takes', async () => {
    // Prepare: an earlier attempt changed the record and lost the response; the change is slow.
    const at = (seconds: number) => new Date(Date.parse(shift.startedAt) + seconds * 1000).toISOString();

    // Act
    const early = await checkTraffic({ request, shift: retriedShift }, deps(at(10), nameServers));
    const afterAMinute = await checkTraffic(
      { request, shift: retriedShift, previous: early },
      deps(at(61), nameServers),
    );
    const later = await checkTraffic(
      { request, shift: retriedShift, previous: afterAMinute },
      deps(at(180), nameServers),
    );
    nameServers.answer(USW2_ALB);
    const served = await checkTraffic(
      { request, shift: retriedShift, previous: later },
      deps(at(190), nameServers),
    );

    // Assess
    expect(route53Mock).not.toHaveReceivedCommand(GetChangeCommand);
    expect([early, afterAMinute, later].map((o) => o.inSync)).toEqual([false, false, false]);
    expect(served.inSync).toBe(true);
    expect(served.timeline.at(-1)).toMatchObject({
      phase: 'succeeded',
      message:
        'every record already pointed at the target in Route 53; the name servers send clients to us-west-2 only; clients may keep the old answer up to 60 s',
    });
  });

  it('fails past the deadline naming the change still PENDING and what the name servers answer', async () => {
    // Prepare
    route53Mock.on(GetChangeCommand).resolves(fixture('route53/get-change-pending.json'));

    // Act
    const checked = checkTraffic({ request, shift }, deps(PAST_DEADLINE, nameServers));

    // Assess
    await expect(checked).rejects.toThrow(DeadlineExceededError);
    await expect(checked).rejects.toThrow('C2682N5HXP0BZ4 for api.orders.example.com. still PENDING');
    await expect(checked).rejects.toThrow(`Name servers: ${SOURCE_ANSWERS}.`);
  });

  it('fails past the deadline after a retried shift, naming what the name servers answer', async () => {
    // Act
    const checked = checkTraffic({ request, shift: retriedShift }, deps(PAST_DEADLINE, nameServers));

    // Assess
    await expect(checked).rejects.toThrow(DeadlineExceededError);
    await expect(checked).rejects.toThrow(
      `Route 53's name servers do not send clients to us-west-2 only at 2024-05-20T14:14:00.000Z. Name servers: ${SOURCE_ANSWERS}.`,
    );
  });

  it("decides on the name servers' answers alone when GetChange (us-east-1, the failed region) does not answer", async () => {
    // Prepare
    route53Mock.on(GetChangeCommand).callsFake(() => hang());
    nameServers.answer(USW2_ALB);
    const bounded = deps(FIRST_POLL, nameServers);
    bounded.plan.timeouts.failedRegionCallMs = 100;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });

    // Act: the control plane is called unavailable only after a window of silence.
    const checked = checkTraffic({ request, shift }, bounded);
    await vi.advanceTimersByTimeAsync(60_000);
    const output = await checked;

    // Assess
    expect(output.inSync).toBe(true);
    expect(output.timeline.at(-1)).toMatchObject({
      phase: 'succeeded',
      message:
        '1 DNS change(s) sent, GetChange unreachable; the name servers send clients to us-west-2 only; clients may keep the old answer up to 60 s',
      facts: { inSync: null },
    });
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
        deps(FIRST_POLL, nameServers),
      );

      // Assess
      expect(route53Mock).not.toHaveReceivedAnyCommand();
      expect(nameServers.asked).toEqual([]);
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
