import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  Route53ServiceException,
} from '@aws-sdk/client-route-53';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { STEP_RETRY_BUDGET_MS, UNREACHABLE_WINDOW_MS } from '../../src/aws/retry.js';
import { changeRecords } from '../../src/aws/route53.js';
import { type ControlPlaneContext, viaControlPlane } from '../../src/aws/route53-control-plane.js';
import { AwsTransientError, ControlPlaneUnavailableError } from '../../src/errors.js';
import { awsError, hang } from '../support/aws.js';
import { elapsedSince, inVirtualTime } from '../support/clock.js';
import { fixture } from '../support/fixtures.js';
import { examplePlan, USW2_ALB } from '../support/plan.js';

const ZONE = 'Z3M3LMPEXAMPLE';
const UPSERT = [
  {
    name: 'api.orders.example.com.',
    type: 'CNAME',
    setIdentifier: 'orders-usw2',
    weight: 100,
    ttl: 60,
    values: [USW2_ALB],
  },
];

/** Sent signals, in order: every request must carry one, aborted once its attempt is given up. */
const signalsOf = (calls: readonly { args: readonly unknown[] }[]) =>
  calls.map((c) => (c.args[1] as { abortSignal?: AbortSignal } | undefined)?.abortSignal);

describe('viaControlPlane', () => {
  const route53Mock = mockClient(Route53Client);
  const route53 = new Route53Client({ region: 'us-east-1' });
  const context = (overrides: Partial<ControlPlaneContext> = {}): ControlPlaneContext => ({
    plan: examplePlan(),
    route53,
    sourceRegion: 'us-east-1',
    targetRegion: 'us-west-2',
    mode: 'automatic',
    ...overrides,
  });
  const change = (abortSignal: AbortSignal) => changeRecords(route53, ZONE, UPSERT, 'drill', { abortSignal });

  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    route53Mock.reset();
    vi.useRealTimers();
  });

  describe('in a planned move out of us-east-1 (both regions healthy)', () => {
    it('lets a slow call finish with the SDK retries, with no per-attempt bound', async () => {
      // Prepare: the answer takes 10 s, far beyond failedRegionCallMs
      route53Mock
        .on(ChangeResourceRecordSetsCommand)
        .callsFake(
          () =>
            new Promise((resolve) =>
              setTimeout(() => resolve(fixture('route53/change-resource-record-sets-pending.json')), 10_000),
            ),
        );

      // Act
      const id = await inVirtualTime(viaControlPlane(context({ mode: 'planned' }), change));

      // Assess
      expect(id).toBe('C2682N5HXP0BZ4');
      expect(route53Mock).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
    });

    it('never concludes the control plane is down: silence is AwsTransientError, aborted at the deadline', async () => {
      // Prepare
      route53Mock.on(ChangeResourceRecordSetsCommand).callsFake(() => hang());
      const started = Date.now();

      // Act
      const shifted = inVirtualTime(viaControlPlane(context({ mode: 'planned' }), change));

      // Assess
      await expect(shifted).rejects.toBeInstanceOf(AwsTransientError);
      await expect(shifted).rejects.toThrow(/did not answer within \d+ ms; the request was aborted/);
      expect(elapsedSince(started)).toBeLessThanOrEqual(STEP_RETRY_BUDGET_MS);
      expect(signalsOf(route53Mock.calls()).map((s) => s?.aborted)).toEqual([true]);
    });
  });

  describe('in an unplanned move out of us-east-1', () => {
    it('does not take one silence for an outage: the next attempt answers', async () => {
      // Prepare
      route53Mock
        .on(ChangeResourceRecordSetsCommand)
        .callsFakeOnce(() => hang())
        .resolves(fixture('route53/change-resource-record-sets-pending.json'));

      // Act
      const id = await inVirtualTime(viaControlPlane(context(), change));

      // Assess
      expect(id).toBe('C2682N5HXP0BZ4');
      expect(signalsOf(route53Mock.calls()).map((s) => s?.aborted)).toEqual([true, false]);
    });

    it('calls it unavailable only after silence across the window, and says DNS was not changed when read back', async () => {
      // Prepare: the change never gets an answer; the read-back after the last attempt does
      route53Mock.on(ChangeResourceRecordSetsCommand).callsFake(() => hang());
      route53Mock
        .on(ListResourceRecordSetsCommand)
        .resolves(fixture('route53/list-resource-record-sets-weighted-primary.json'));
      const started = Date.now();

      // Act
      const shifted = inVirtualTime(viaControlPlane(context(), change));

      // Assess
      await expect(shifted).rejects.toBeInstanceOf(ControlPlaneUnavailableError);
      await expect(shifted).rejects.toThrow(
        /^Route 53 control plane \(us-east-1\) did not answer \d+ attempt\(s\) of up to 3000 ms over 2\d s\. Read back afterwards: DNS was not changed \(api\.orders\.example\.com\. CNAME orders-use1=100 orders-usw2=0\)\. Move traffic with Route 53 ARC routing controls/,
      );
      expect(elapsedSince(started)).toBeGreaterThanOrEqual(UNREACHABLE_WINDOW_MS);
      expect(elapsedSince(started)).toBeLessThan(STEP_RETRY_BUDGET_MS);
      const changes = route53Mock.commandCalls(ChangeResourceRecordSetsCommand);
      expect(changes.length).toBeGreaterThanOrEqual(4);
      expect(signalsOf(changes).every((s) => s?.aborted)).toBe(true);
    });

    it('says a change may have landed when the read-back finds the target', async () => {
      // Prepare
      route53Mock.on(ChangeResourceRecordSetsCommand).callsFake(() => hang());
      route53Mock
        .on(ListResourceRecordSetsCommand)
        .resolves(fixture('route53/list-resource-record-sets-weighted-target.json'));

      // Act
      const shifted = inVirtualTime(viaControlPlane(context(), change));

      // Assess
      await expect(shifted).rejects.toThrow(
        /Read back afterwards, DNS already points at us-west-2 for api\.orders\.example\.com\. \(a change may have landed\)/,
      );
      await expect(shifted).rejects.not.toThrow(/was not changed/);
    });

    it('says nobody knows when the read-back does not get through either', async () => {
      // Prepare
      route53Mock.on(ChangeResourceRecordSetsCommand).callsFake(() => hang());
      route53Mock.on(ListResourceRecordSetsCommand).callsFake(() => hang());

      // Act
      const shifted = inVirtualTime(viaControlPlane(context(), change));

      // Assess
      await expect(shifted).rejects.toBeInstanceOf(ControlPlaneUnavailableError);
      await expect(shifted).rejects.toThrow(
        'DNS changes may or may not have landed; read back with: aws route53 list-resource-record-sets --hosted-zone-id Z3M3LMPEXAMPLE --start-record-name api.orders.example.com. --start-record-type CNAME.',
      );
      await expect(shifted).rejects.not.toThrow(/was not changed/);
      expect(
        signalsOf(route53Mock.commandCalls(ListResourceRecordSetsCommand)).map((s) => s?.aborted),
      ).toEqual([true]);
    });

    it('retries a control plane that answers with throttles, and never calls it unavailable', async () => {
      // Prepare
      route53Mock
        .on(ChangeResourceRecordSetsCommand)
        .rejects(awsError(Route53ServiceException, 'Throttling', 400, 'Rate exceeded'));
      const started = Date.now();

      // Act
      const shifted = inVirtualTime(viaControlPlane(context(), change));

      // Assess
      await expect(shifted).rejects.toBeInstanceOf(AwsTransientError);
      await expect(shifted).rejects.toThrow(/answered, so not an outage/);
      expect(elapsedSince(started)).toBeLessThan(STEP_RETRY_BUDGET_MS);
      expect(route53Mock).not.toHaveReceivedCommand(ListResourceRecordSetsCommand);
    });

    it('takes silence short of the window for a transient error when the step has little time left', async () => {
      // Prepare
      route53Mock.on(ChangeResourceRecordSetsCommand).callsFake(() => hang());

      // Act
      const shifted = inVirtualTime(viaControlPlane(context({ deadline: Date.now() + 10_000 }), change));

      // Assess
      await expect(shifted).rejects.toBeInstanceOf(AwsTransientError);
      await expect(shifted).rejects.toThrow(/short of the 20 s it takes to call it unavailable/);
    });
  });

  it('runs normally when us-east-1 is not the failed region: silence is transient', async () => {
    // Prepare
    route53Mock.on(ChangeResourceRecordSetsCommand).callsFake(() => hang());

    // Act
    const shifted = inVirtualTime(
      viaControlPlane(context({ sourceRegion: 'us-west-2', targetRegion: 'us-east-1' }), change),
    );

    // Assess
    await expect(shifted).rejects.toBeInstanceOf(AwsTransientError);
    expect(route53Mock).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
  });
});
