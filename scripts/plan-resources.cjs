'use strict';

/**
 * Serverless variable resolver: the IAM resources of the stage's failover plan, used in
 * serverless.yml as `${file(scripts/plan-resources.cjs):<name>}`.
 *
 * Lists (one ARN per ECS service and region, one per hosted zone, ...) cannot be built with
 * `${file(plans/<stage>.json):...}` alone, hence this file. osls loads `.js` and `.cjs` variable
 * files with require() (an `.mjs` file would be read as plain text), and package.json declares
 * "type": "module", so it has to be `.cjs`.
 *
 * The plan has been validated by scripts/validate-plans.ts before packaging; this only reads it.
 * Account and partition come from CloudFormation pseudo parameters (`Fn::Sub`), so packaging
 * needs no AWS credentials. osls leaves `${AWS::...}` alone: it is not variable syntax.
 */

const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');

const CLUSTER_ARN = /^arn:(aws[a-z-]*):rds:([a-z0-9-]+):(\d{12}):cluster:([A-Za-z][A-Za-z0-9-]*)$/;

async function loadPlan(resolveVariable) {
  const stage = await resolveVariable('sls:stage');
  const file = resolve(__dirname, '..', 'plans', `${stage}.json`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

function planRegions(plan) {
  return [plan.regions.primary, plan.regions.standby];
}

function unique(values) {
  return [...new Set(values)];
}

/** The plan's Aurora global clusters as a list: `databases`, or the one `database` (src/plan/databases.ts). */
function planDatabases(plan) {
  return plan.databases ?? (plan.database ? [plan.database] : []);
}

/**
 * Every global cluster of the plan and its member clusters, in plan order. A global cluster ARN
 * has no region and takes the partition and account of its members (a global database's clusters
 * all live in the account that owns it).
 */
async function auroraArns({ resolveVariable }) {
  const plan = await loadPlan(resolveVariable);
  return planDatabases(plan).flatMap((database, i) => {
    const field = plan.databases ? `databases[${i}].members` : 'database.members';
    const members = planRegions(plan).map((region) => database.members[region]);
    const owners = unique(
      members.map((arn) => {
        const match = CLUSTER_ARN.exec(arn);
        if (!match) throw new Error(`${field}: "${arn}" is not an Aurora DB cluster ARN`);
        return `${match[1]}:${match[3]}`;
      }),
    );
    if (owners.length !== 1) {
      throw new Error(`${field}: the member clusters are in different accounts (${owners.join(', ')})`);
    }
    const [partition, account] = owners[0].split(':');
    return [
      `arn:${partition}:rds::${account}:global-cluster:${database.globalClusterIdentifier}`,
      ...members,
    ];
  });
}

/** Every plan service in both regions: fencing scales the old region, take-over the new one. */
async function ecsServiceArns({ resolveVariable }) {
  const plan = await loadPlan(resolveVariable);
  return plan.services.flatMap((svc) =>
    planRegions(plan).map((region) => ({
      'Fn::Sub': `arn:\${AWS::Partition}:ecs:${region}:\${AWS::AccountId}:service/${svc.cluster[region]}/${svc.service[region]}`,
    })),
  );
}

async function hostedZoneArns({ resolveVariable }) {
  const plan = await loadPlan(resolveVariable);
  return unique(plan.dns.records.map((record) => record.hostedZoneId)).map((zone) => ({
    'Fn::Sub': `arn:\${AWS::Partition}:route53:::hostedzone/${zone}`,
  }));
}

/**
 * The record names as Route 53's `route53:ChangeResourceRecordSetsNormalizedRecordNames`
 * condition key compares them: lower case, no trailing dot.
 */
async function dnsRecordNames({ resolveVariable }) {
  const plan = await loadPlan(resolveVariable);
  return unique(plan.dns.records.map((record) => record.name.toLowerCase().replace(/\.$/, '')));
}

async function dnsRecordTypes({ resolveVariable }) {
  const plan = await loadPlan(resolveVariable);
  return unique(plan.dns.records.map((record) => record.type));
}

/**
 * The SNS topic request-approval publishes to, when the plan names one, as a CloudFormation
 * fragment merged into serverless.yml's `resources`. Without a topic it is empty: an IAM
 * statement needs a Resource, and any ARN there would grant something, so the whole policy is
 * left out. It attaches to the role osls creates for every function (IamRoleLambdaExecution).
 */
async function approvalTopicResources({ resolveVariable }) {
  const plan = await loadPlan(resolveVariable);
  const topicArn = plan.approval?.topicArn;
  if (!topicArn) return {};
  return {
    Resources: {
      ApprovalTopicPublishPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: `failover-${await resolveVariable('sls:stage')}-approval-topic`,
          Roles: [{ Ref: 'IamRoleLambdaExecution' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Sid: 'ApprovalTopic', Effect: 'Allow', Action: ['sns:Publish'], Resource: [topicArn] },
            ],
          },
        },
      },
    },
  };
}

/**
 * Every Route 53 ARC routing control the orchestrator may read or set: each routing-control
 * record's controls, and the controls the plan's copy of the safety rules names (readiness reads
 * them to judge the rules). AWS's own sample policy for routing control scopes these actions to
 * routing control ARNs (ARC Developer Guide, "ARC routing controls execution block sample policy").
 */
function routingControlArns(plan) {
  const arns = plan.dns.records.flatMap((record) =>
    record.shift?.mode === 'routing-control' ? Object.values(record.shift.routingControlArns) : [],
  );
  for (const rule of plan.dns.routingControl?.safetyRules ?? []) {
    arns.push(
      ...(rule.assertedControls ?? []),
      ...(rule.gatingControls ?? []),
      ...(rule.targetControls ?? []),
    );
  }
  return unique(arns);
}

/**
 * The ARC data-plane permissions (route53-recovery-cluster), as a CloudFormation fragment merged
 * into serverless.yml's `resources`, scoped to the plan's routing controls; empty when the plan has
 * no routing-control record (a statement needs a Resource, and any ARN would grant something).
 * Never the recovery-control config API: a failover does not call it.
 */
async function routingControlResources({ resolveVariable }) {
  const plan = await loadPlan(resolveVariable);
  const controls = routingControlArns(plan);
  if (controls.length === 0) return {};
  return {
    Resources: {
      RoutingControlPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: `failover-${await resolveVariable('sls:stage')}-routing-controls`,
          Roles: [{ Ref: 'IamRoleLambdaExecution' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'RoutingControls',
                Effect: 'Allow',
                Action: [
                  'route53-recovery-cluster:GetRoutingControlState',
                  'route53-recovery-cluster:ListRoutingControls',
                  'route53-recovery-cluster:UpdateRoutingControlState',
                  'route53-recovery-cluster:UpdateRoutingControlStates',
                ],
                Resource: controls,
              },
            ],
          },
        },
      },
    },
  };
}

/**
 * The functions the plan's hooks name (src/plan/hooks.ts), as the IAM resources Invoke is checked
 * against: a function ARN as written; a name (`name` or `name:qualifier`) as the function of that
 * name in the region and account the stack deploys to, which is where the orchestrator invokes it.
 * A qualified name is granted qualified only: Lambda checks Invoke against the ARN it is called
 * with (Lambda Developer Guide, "Resources and conditions for Lambda actions").
 */
function hookFunctionArns(plan) {
  return unique(Object.values(plan.hooks ?? {}).map((hook) => hook.function)).map((fn) =>
    fn.startsWith('arn:')
      ? fn
      : { 'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${fn}` },
  );
}

/**
 * lambda:InvokeFunction on the hooks' functions only, as a CloudFormation fragment merged into
 * serverless.yml's `resources`; empty when the plan has no hooks (a statement needs a Resource).
 */
async function hookResources({ resolveVariable }) {
  const plan = await loadPlan(resolveVariable);
  const functions = hookFunctionArns(plan);
  if (functions.length === 0) return {};
  return {
    Resources: {
      HookFunctionsPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: `failover-${await resolveVariable('sls:stage')}-hooks`,
          Roles: [{ Ref: 'IamRoleLambdaExecution' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Sid: 'PlanHooks', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: functions },
            ],
          },
        },
      },
    },
  };
}

module.exports = {
  hookResources,
  auroraArns,
  ecsServiceArns,
  hostedZoneArns,
  dnsRecordNames,
  dnsRecordTypes,
  approvalTopicResources,
  routingControlResources,
};
