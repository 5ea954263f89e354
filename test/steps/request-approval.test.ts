import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientRegistry } from '../../src/aws/clients.js';
import { InputInvalidError, PlanInvalidError } from '../../src/errors.js';
import type { StepDeps } from '../../src/handlers/define-step.js';
import { handler } from '../../src/handlers/request-approval.js';
import type { FailoverPlan } from '../../src/plan/schema.js';
import type { CheckReadinessOutput } from '../../src/steps/contracts.js';
import { approvalDecisionSchema } from '../../src/steps/contracts-operators.js';
import type { FailoverRequest } from '../../src/steps/request.js';
import { approvalMessage, requestApproval } from '../../src/steps/request-approval.js';
import { commandsSent, regionOf } from '../support/aws.js';
import { lambdaContext } from '../support/lambda-context.js';
import { examplePlan } from '../support/plan.js';
import { failoverRequest } from '../support/request.js';

const TOPIC = 'arn:aws:sns:us-west-2:123456789012:orders-failover-approvals';
const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAeMHr6sb8Ll5IKntjIZwEGE0a2K3J7-example-task-token';
const NOW = new Date('2026-11-22T03:01:00.000Z');
const ENTERED = '2026-11-22T03:00:58.000Z';

function approvalPlan(approval: Partial<FailoverPlan['approval']> = {}): FailoverPlan {
  const plan = examplePlan();
  return { ...plan, approval: { automatic: 'wait', timeoutSeconds: 900, topicArn: TOPIC, ...approval } };
}
const deps = (plan: FailoverPlan = approvalPlan()): StepDeps => ({
  plan,
  clients: new ClientRegistry(),
  now: () => NOW,
});
const waiting = (policy: 'wait' | 'wait-then-proceed' = 'wait', overrides: Partial<FailoverRequest> = {}) =>
  failoverRequest({
    executionName: 'orders-20261122T0300Z',
    approval: { policy, timeoutSeconds: 900 },
    trigger: {
      alarmName: 'orders-primary-unhealthy-from-us-west-2',
      alarmRegion: 'us-west-2',
      stateReason: 'Threshold Crossed',
    },
    ...overrides,
  });
const readiness: CheckReadinessOutput = {
  ready: true,
  checks: [
    {
      name: 'aurora-target-cluster',
      ok: true,
      detail: 'orders-usw2 is a connected secondary with 2 instances',
    },
    { name: 'ecs-services', ok: true, detail: '2 services found in us-west-2' },
  ],
  rpoLagMs: 350,
  timeline: [],
};
/** One mock for the file: a second mockClient on the same class would replace the first's stub. */
const snsMock = mockClient(SNSClient);

const input = (request: FailoverRequest = waiting()) => ({
  request,
  readiness,
  taskToken: TOKEN,
  enteredAt: ENTERED,
  orchestratorRegion: 'us-west-2',
});

describe('requestApproval', () => {
  afterEach(() => {
    snsMock.reset();
  });

  it("publishes one message to the plan's topic, in the orchestrator's region", async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: '5f1c2b3a-4d5e-6f70-8192-a3b4c5d6e7f8' });

    // Act
    const output = await requestApproval(input(), deps());

    // Assess
    expect(snsMock).toHaveReceivedCommandExactlyOnceWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: 'Approve automatic failover of orders: us-east-1 -> us-west-2? (until 03:15 UTC)',
      Message: expect.any(String),
    });
    const [call] = snsMock.commandCalls(PublishCommand);
    expect(await regionOf(call?.thisValue)).toBe('us-west-2');
    expect(output).toEqual({
      notified: true,
      messageId: '5f1c2b3a-4d5e-6f70-8192-a3b4c5d6e7f8',
      deadline: '2026-11-22T03:15:58.000Z',
      timeline: [
        expect.objectContaining({
          step: 'await-approval',
          phase: 'started',
          facts: {
            topicArn: TOPIC,
            policy: 'wait',
            deadline: '2026-11-22T03:15:58.000Z',
            timeoutSeconds: 900,
            messageId: '5f1c2b3a-4d5e-6f70-8192-a3b4c5d6e7f8',
          },
        }),
      ],
    });
  });

  it('tells the approver exactly how to approve or reject, and what the deadline does', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });

    // Act
    await requestApproval(input(), deps());

    // Assess
    const message = snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';
    const lines = message.split('\n').map((l) => l.trim());
    expect(lines).toContain('failover approve orders-20261122T0300Z --by <you>');
    expect(lines).toContain(
      `aws stepfunctions send-task-success --region us-west-2 --task-token ${TOKEN} --task-output '{"approved":true,"by":"<you>"}'`,
    );
    expect(lines).toContain('failover reject orders-20261122T0300Z --by <you> --reason <why>');
    expect(lines).toContain(
      `aws stepfunctions send-task-failure --region us-west-2 --task-token ${TOKEN} --error ApprovalRejected --cause "<why>"`,
    );
    expect(lines).toContain(
      'Deadline: 2026-11-22T03:15:58.000Z. With no answer by 2026-11-22T03:15:58.000Z the failover stops and nothing is changed.',
    );
    expect(lines).toContain('Move: us-east-1 -> us-west-2');
    expect(lines).toContain('Reason: orders-primary-unhealthy-from-us-west-2 in ALARM');
    expect(lines).toContain('Alarm: orders-primary-unhealthy-from-us-west-2 (us-west-2)');
    expect(lines).toContain('Readiness of us-west-2: 2 of 2 checks passed; RPO lag 350 ms.');
    expect(message).toMatch(
      /Promote arn:aws:rds:us-west-2:123456789012:cluster:orders-usw2 with FailoverGlobalCluster and AllowDataLoss/,
    );
  });

  it('says the failover proceeds at the deadline under wait-then-proceed', async () => {
    // Prepare
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });

    // Act
    const output = await requestApproval(input(waiting('wait-then-proceed')), deps());

    // Assess
    const message = snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';
    expect(message).toContain('With no answer the failover proceeds at 2026-11-22T03:15:58.000Z.');
    expect(output.timeline[0]?.message).toMatch(
      /; with no answer the failover proceeds at 2026-11-22T03:15:58.000Z$/,
    );
    expect(message).toContain('Point DNS at us-west-2: api.orders.example.com.\n');
  });

  it('refuses a plan without a topic, publishing nothing', async () => {
    // Prepare
    const plan = approvalPlan();
    const { topicArn: _, ...withoutTopic } = plan.approval;

    // Act
    const requested = requestApproval(input(), deps({ ...plan, approval: withoutTopic }));

    // Assess
    await expect(requested).rejects.toThrow(PlanInvalidError);
    await expect(requested).rejects.toThrow(/approval.topicArn is not set: nobody can be asked to approve/);
    expect(commandsSent(snsMock)).toEqual([]);
  });

  it('refuses a topic in another region than the orchestrator', async () => {
    // Act
    const requested = requestApproval(
      input(),
      deps(approvalPlan({ topicArn: 'arn:aws:sns:us-east-1:123456789012:orders-failover-approvals' })),
    );

    // Assess
    await expect(requested).rejects.toThrow(PlanInvalidError);
    await expect(requested).rejects.toThrow(
      /topicArn is in us-east-1, but this orchestrator runs in us-west-2/,
    );
    expect(commandsSent(snsMock)).toEqual([]);
  });

  it('refuses to be asked when the policy needs no approval: nobody would answer', async () => {
    // Act
    const requested = requestApproval(
      input(failoverRequest({ approval: { policy: 'none', timeoutSeconds: 900 } })),
      deps(),
    );

    // Assess
    await expect(requested).rejects.toThrow(InputInvalidError);
    expect(commandsSent(snsMock)).toEqual([]);
  });

  it('publishes nothing in a dry run and records what it would ask', async () => {
    // Act
    const output = await requestApproval(input(waiting('wait', { dryRun: true })), deps());

    // Assess
    expect(commandsSent(snsMock)).toEqual([]);
    expect(output).toMatchObject({ notified: false, messageId: null, dryRun: true });
    expect(output.timeline).toEqual([
      expect.objectContaining({
        phase: 'dry-run',
        message: `would ask for approval on ${TOPIC}: "Approve automatic failover of orders: us-east-1 -> us-west-2? (until 03:15 UTC)"`,
        facts: expect.objectContaining({ wouldDo: true }),
      }),
    ]);
  });

  it('records a missing topic in a dry run instead of stopping', async () => {
    // Prepare
    const plan = approvalPlan();
    const { topicArn: _, ...withoutTopic } = plan.approval;

    // Act
    const output = await requestApproval(
      input(waiting('wait', { dryRun: true })),
      deps({ ...plan, approval: withoutTopic }),
    );

    // Assess
    expect(commandsSent(snsMock)).toEqual([]);
    expect(output.timeline[0]?.message).toMatch(/^would stop here with PlanInvalidError, asking nobody:/);
  });
});

describe('approvalMessage', () => {
  it('describes a planned move with its drain and no data loss', () => {
    // Prepare
    const plan = examplePlan();
    const drained = {
      ...plan,
      dns: { ...plan.dns, drain: { sourceWeights: [75, 50, 25], intervalSeconds: 300 } },
    };

    // Act
    const { body } = approvalMessage({
      request: waiting('wait', { mode: 'planned' }),
      plan: drained,
      readiness: undefined,
      taskToken: TOKEN,
      orchestratorRegion: 'us-west-2',
      policy: 'wait',
      deadline: new Date(ENTERED),
    });

    // Assess
    expect(body).toContain(
      'Drain DNS gradually: us-east-1 gets 75 -> 50 -> 25 % of answers, one step every 300 s.',
    );
    expect(body).toMatch(/SwitchoverGlobalCluster: waits for full sync, no data loss/);
    expect(body).toContain('Readiness of us-west-2: not checked before this request.');
    expect(body).not.toContain('AllowDataLoss');
  });
});

describe('approvalDecisionSchema', () => {
  it.each([
    { output: { approved: true, by: 'jane' }, valid: true },
    { output: { approved: true, by: 'jane', reason: 'region confirmed down' }, valid: true },
    { output: { approved: false, by: 'jane' }, valid: false },
    { output: { approved: true, by: '' }, valid: false },
    { output: { approved: true }, valid: false },
  ])('accepts $output: $valid', ({ output, valid }) => {
    // Act
    const parsed = approvalDecisionSchema.safeParse(output);

    // Assess
    expect(parsed.success).toBe(valid);
  });
});

describe('request-approval handler', () => {
  const saved = { plan: process.env.FAILOVER_PLAN_FILE, region: process.env.AWS_REGION };

  afterEach(() => {
    snsMock.reset();
    process.env.FAILOVER_PLAN_FILE = saved.plan;
    process.env.AWS_REGION = saved.region;
  });

  it("publishes through the Lambda's own region (AWS_REGION)", async () => {
    // Prepare
    process.env.FAILOVER_PLAN_FILE = 'test/fixtures/plans/approval-wait.json';
    process.env.AWS_REGION = 'us-west-2';
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });

    // Act
    const output = await handler({ request: waiting(), readiness, taskToken: TOKEN }, lambdaContext());

    // Assess
    expect(output).toMatchObject({ notified: true, messageId: 'm-1' });
    expect(await regionOf(snsMock.commandCalls(PublishCommand)[0]?.thisValue)).toBe('us-west-2');
  });

  it('names the missing AWS_REGION instead of publishing anywhere', async () => {
    // Prepare
    process.env.FAILOVER_PLAN_FILE = 'test/fixtures/plans/approval-wait.json';
    delete process.env.AWS_REGION;

    // Act
    const invoked = handler({ request: waiting(), readiness, taskToken: TOKEN }, lambdaContext());

    // Assess
    await expect(invoked).rejects.toThrow(/orchestratorRegion: is unknown \(AWS_REGION is not set\)/);
    expect(commandsSent(snsMock)).toEqual([]);
  });
});
