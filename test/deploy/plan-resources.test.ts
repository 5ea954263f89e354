import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { examplePlan, onlyDatabase } from '../support/plan.js';

/** scripts/plan-resources.cjs, as osls calls it while resolving serverless.yml for stage dev. */
type Resolver = (ctx: { resolveVariable: (variable: string) => Promise<string> }) => Promise<unknown>;
const resolvers = createRequire(import.meta.url)('../../scripts/plan-resources.cjs') as Record<
  string,
  Resolver
>;
const resolve = (name: string, stage = 'dev') =>
  resolvers[name]?.({
    resolveVariable: async (variable) => {
      if (variable !== 'sls:stage') throw new Error(`unexpected variable ${variable}`);
      return stage;
    },
  });

describe('IAM resources derived from plans/dev.json', () => {
  const plan = examplePlan();

  it('names the global cluster (account of its members, no region) and both member clusters', async () => {
    expect(await resolve('auroraArns')).toEqual([
      `arn:aws:rds::123456789012:global-cluster:${onlyDatabase(plan).globalClusterIdentifier}`,
      onlyDatabase(plan).members[plan.regions.primary],
      onlyDatabase(plan).members[plan.regions.standby],
    ]);
  });

  it('names every plan service in both regions', async () => {
    const arns = (await resolve('ecsServiceArns')) as { 'Fn::Sub': string }[];
    expect(arns).toHaveLength(plan.services.length * 2);
    expect(arns).toContainEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, resolved at deploy time
      'Fn::Sub': 'arn:${AWS::Partition}:ecs:us-east-1:${AWS::AccountId}:service/orders-use1/orders-api',
    });
    expect(arns).toContainEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, resolved at deploy time
      'Fn::Sub': 'arn:${AWS::Partition}:ecs:us-west-2:${AWS::AccountId}:service/orders-usw2/orders-worker',
    });
  });

  it("names the plan's hosted zones once each, and its records as Route 53 normalises them", async () => {
    expect(await resolve('hostedZoneArns')).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, resolved at deploy time
      { 'Fn::Sub': 'arn:${AWS::Partition}:route53:::hostedzone/Z3M3LMPEXAMPLE' },
    ]);
    expect(await resolve('dnsRecordNames')).toEqual(['api.orders.example.com']);
    expect(await resolve('dnsRecordTypes')).toEqual(['CNAME']);
  });

  it("grants ARC's data-plane actions on the plan's routing controls only, never the config API", async () => {
    const fragment = (await resolve('routingControlResources')) as {
      Resources: { RoutingControlPolicy: { Properties: { PolicyDocument: { Statement: unknown[] } } } };
    };
    const [statement] = fragment.Resources.RoutingControlPolicy.Properties.PolicyDocument.Statement;
    const record = plan.dns.records[0];
    const controls =
      record?.shift.mode === 'routing-control' ? Object.values(record.shift.routingControlArns) : [];

    expect(statement).toEqual({
      Sid: 'RoutingControls',
      Effect: 'Allow',
      Action: [
        'route53-recovery-cluster:GetRoutingControlState',
        'route53-recovery-cluster:ListRoutingControls',
        'route53-recovery-cluster:UpdateRoutingControlState',
        'route53-recovery-cluster:UpdateRoutingControlStates',
      ],
      Resource: controls,
    });
    expect(controls).toHaveLength(2);
  });

  it("grants lambda:InvokeFunction on the plan's hook functions only, in the region the stack deploys to", async () => {
    const fragment = (await resolve('hookResources')) as {
      Resources: { HookFunctionsPolicy: { Properties: { PolicyDocument: { Statement: unknown[] } } } };
    };

    expect(plan.hooks?.afterPromotion?.function).toBe('orders-cache-warmup');
    expect(fragment.Resources.HookFunctionsPolicy.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'PlanHooks',
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: [
          {
            'Fn::Sub':
              // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, resolved at deploy time
              'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:orders-cache-warmup',
          },
        ],
      },
    ]);
  });

  it('grants sns:Publish on no topic when the plan names no approval topic', async () => {
    expect(plan.approval.topicArn).toBeUndefined();
    expect(await resolve('approvalTopicResources')).toEqual({});
  });
});

describe('IAM resources of a plan with several databases', () => {
  // The resolver reads plans/<stage>.json: a relative stage reaches the fixture.
  const stage = '../test/fixtures/plans/three-databases';

  it('names every global cluster and both member clusters of each', async () => {
    const arns = (await resolve('auroraArns', stage)) as string[];

    expect(arns).toEqual(
      ['orders', 'payments', 'ledger'].flatMap((name) => [
        `arn:aws:rds::123456789012:global-cluster:${name}-global`,
        `arn:aws:rds:us-east-1:123456789012:cluster:${name}-use1`,
        `arn:aws:rds:us-west-2:123456789012:cluster:${name}-usw2`,
      ]),
    );
  });
});
