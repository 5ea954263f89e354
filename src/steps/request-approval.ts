import { publishMessage, regionOfTopicArn } from '../aws/sns.js';
import { FailoverError, InputInvalidError, PlanInvalidError } from '../errors.js';
import { publishMoment, withPublication } from '../events/build.js';
import type { StepDeps } from '../handlers/define-step.js';
import { databasesOf } from '../plan/databases.js';
import type { FailoverPlan } from '../plan/schema.js';
import { event } from '../timeline/types.js';
import type { CheckReadinessOutput } from './contracts.js';
import type { RequestApprovalInput, RequestApprovalOutput } from './contracts-operators.js';
import { isDryRun, wouldDo } from './dry-run.js';
import type { FailoverRequest } from './request.js';

const STEP = 'await-approval';

/** The step's input plus the region this orchestrator runs in (the handler injects AWS_REGION). */
export type RequestApprovalStepInput = RequestApprovalInput & { orchestratorRegion: string };

/**
 * Asks a human before the first change. Runs as a `.waitForTaskToken` task: this function
 * publishes one SNS message saying what will happen and how to approve or reject, and returns;
 * Step Functions then waits for SendTaskSuccess (approved) or SendTaskFailure `ApprovalRejected`,
 * or for the state's timeout, where the plan's policy decides. What this returns only reaches
 * logs and tests: the task's result is the approver's answer.
 *
 * SNS has nothing to read back, so a retried task publishes again; either message works, and the
 * newest carries the token that counts.
 */
export async function requestApproval(
  input: RequestApprovalStepInput,
  deps: StepDeps,
): Promise<RequestApprovalOutput> {
  const { request, orchestratorRegion } = input;
  const approval = request.approval;
  if (!approval || approval.policy === 'none') {
    throw new InputInvalidError(
      `${STEP}: the request's approval policy is ${approval?.policy ?? 'absent'}: nobody is to be asked, so the state machine must not wait here`,
    );
  }
  const enteredAt = input.enteredAt ? new Date(input.enteredAt) : deps.now();
  const deadline = new Date(enteredAt.getTime() + approval.timeoutSeconds * 1000);
  let topicArn: string;
  try {
    topicArn = topicFor(deps.plan, orchestratorRegion);
  } catch (error) {
    // A dry run records the refusal as its finding instead of stopping there.
    if (!isDryRun(request) || !(error instanceof FailoverError)) throw error;
    return {
      notified: false,
      messageId: null,
      deadline: deadline.toISOString(),
      dryRun: true,
      timeline: [
        wouldDo(deps.now(), STEP, `would stop here with ${error.name}, asking nobody: ${error.message}`, {
          action: 'refuse',
          reason: error.message,
        }),
      ],
    };
  }
  const { subject, body } = approvalMessage({
    request,
    plan: deps.plan,
    readiness: input.readiness,
    taskToken: input.taskToken,
    orchestratorRegion,
    policy: approval.policy,
    deadline,
  });
  const facts = {
    topicArn,
    policy: approval.policy,
    deadline: deadline.toISOString(),
    timeoutSeconds: approval.timeoutSeconds,
  };

  if (isDryRun(request)) {
    return {
      notified: false,
      messageId: null,
      deadline: deadline.toISOString(),
      dryRun: true,
      timeline: [wouldDo(deps.now(), STEP, `would ask for approval on ${topicArn}: "${subject}"`, facts)],
    };
  }

  const messageId = await publishMessage(deps.clients.forRegion(orchestratorRegion).sns, {
    topicArn,
    subject,
    body,
  });
  // After the message: the event says a human has been asked, which is true only now.
  const { detailType, outcome } = await publishMoment(
    deps.events,
    'approval-requested',
    request,
    deps.now(),
    {
      summary: subject,
      approval: { policy: approval.policy, deadline: deadline.toISOString() },
    },
  );
  return withPublication(
    {
      notified: true,
      messageId,
      deadline: deadline.toISOString(),
      timeline: [
        event(
          deps.now(),
          STEP,
          'started',
          `approval requested on ${topicArn} (message ${messageId}); ${atDeadline(approval.policy, deadline)}`,
          { ...facts, messageId },
        ),
      ],
    },
    detailType,
    outcome,
  );
}

/**
 * The plan's topic, which must be in the orchestrator's own region: SNS publishes only within a
 * region, and a topic in the other region is unreachable exactly when that region has failed.
 */
function topicFor(plan: FailoverPlan, orchestratorRegion: string): string {
  const topicArn = plan.approval.topicArn;
  if (!topicArn) {
    const problem = 'approval.topicArn is not set: nobody can be asked to approve';
    throw new PlanInvalidError(`${STEP}: plan ${plan.name}: ${problem}`, [problem]);
  }
  if (!orchestratorRegion) {
    throw new InputInvalidError(`${STEP}: the orchestrator's region is unknown (AWS_REGION is not set)`);
  }
  const topicRegion = regionOfTopicArn(topicArn);
  if (topicRegion !== orchestratorRegion) {
    const problem = `approval.topicArn is in ${topicRegion}, but this orchestrator runs in ${orchestratorRegion}: SNS publishes only to topics in its own region, and a topic in another region is unreachable when that region fails`;
    throw new PlanInvalidError(`${STEP}: plan ${plan.name}: ${problem}`, [problem]);
  }
  return topicArn;
}

function atDeadline(policy: 'wait' | 'wait-then-proceed', deadline: Date): string {
  return policy === 'wait'
    ? `with no answer by ${deadline.toISOString()} the failover stops and nothing is changed`
    : `with no answer the failover proceeds at ${deadline.toISOString()}`;
}

export interface ApprovalMessageInput {
  request: FailoverRequest;
  plan: FailoverPlan;
  readiness: CheckReadinessOutput | undefined;
  taskToken: string;
  orchestratorRegion: string;
  policy: 'wait' | 'wait-then-proceed';
  deadline: Date;
}

/** The message the approver reads: what will happen, how to answer, what the deadline does. Pure. */
export function approvalMessage(input: ApprovalMessageInput): { subject: string; body: string } {
  const { request, plan, taskToken, orchestratorRegion: region, deadline } = input;
  const move = `${request.sourceRegion} -> ${request.targetRegion}`;
  const kind = request.mode === 'planned' ? 'planned switchover' : `${request.mode} failover`;
  const subject = `Approve ${kind} of ${plan.name}: ${move}? (until ${deadline.toISOString().slice(11, 16)} UTC)`;
  const exec = request.executionName;

  const lines = [
    `The ${kind} of plan ${plan.name} waits for your approval before its first change.`,
    '',
    `Move: ${move}`,
    `Reason: ${request.reason}`,
    `Requested by: ${request.requestedBy}`,
    `First evidence: ${request.detectedAt}`,
    ...(request.trigger ? [`Alarm: ${request.trigger.alarmName} (${request.trigger.alarmRegion})`] : []),
    `Execution: ${exec} (Step Functions, ${region})`,
    '',
    'What will happen once approved:',
    ...whatWillHappen(request, plan).map((line, i) => `  ${i + 1}. ${line}`),
    '',
    ...readinessLines(request.targetRegion, input.readiness),
    '',
    'To approve, run one of:',
    `  failover approve ${exec} --by <you>`,
    `  aws stepfunctions send-task-success --region ${region} --task-token ${taskToken} --task-output '{"approved":true,"by":"<you>"}'`,
    '',
    'To reject, run one of:',
    `  failover reject ${exec} --by <you> --reason <why>`,
    `  aws stepfunctions send-task-failure --region ${region} --task-token ${taskToken} --error ApprovalRejected --cause "<why>"`,
    '',
    `Deadline: ${deadline.toISOString()}. ${capitalised(atDeadline(input.policy, deadline))}.`,
    '',
    'If this message arrives twice, answer the newest one: a retried request carries the token that counts.',
  ];
  return { subject, body: lines.join('\n') };
}

function whatWillHappen(request: FailoverRequest, plan: FailoverPlan): string[] {
  const { sourceRegion: source, targetRegion: target } = request;
  // Several databases are moved together: the message names each one.
  const databases = databasesOf(plan);
  const targetArn = databases.map((db) => db.members[target] ?? `the ${target} cluster`).join(', ');
  const globalIds = databases.map((db) => db.globalClusterIdentifier).join(', ');
  const services = plan.services.map((s) => `${s.name} to ${s.activeCount}`).join(', ');
  const records = plan.dns.records.map((r) => r.name.replace(/\.$/, '')).join(', ');
  if (request.mode === 'planned') {
    const drain = plan.dns.drain;
    return [
      `Scale up in ${target}: ${services}.`,
      ...(drain
        ? [
            `Drain DNS gradually: ${source} gets ${drain.sourceWeights.join(' -> ')} % of answers, one step every ${drain.intervalSeconds} s.`,
          ]
        : []),
      `Switch over Aurora global database${databases.length > 1 ? 's' : ''} ${globalIds} to ${targetArn} (SwitchoverGlobalCluster: waits for full sync, no data loss; writes pause until the new writer accepts them).`,
      `Point DNS at ${target}: ${records}.`,
      `Services in ${source} keep running for failback.`,
    ];
  }
  return [
    `Fence ${source}: scale its services to 0 and their autoscaling minimum to 0 (best effort while it is down).`,
    `Promote ${targetArn} with FailoverGlobalCluster and AllowDataLoss: writes not yet replicated to ${target} are lost.`,
    `Scale up in ${target}: ${services}.`,
    `Point DNS at ${target}: ${records}.`,
  ];
}

function readinessLines(target: string, readiness: CheckReadinessOutput | undefined): string[] {
  if (!readiness) return [`Readiness of ${target}: not checked before this request.`];
  const passed = readiness.checks.filter((c) => c.ok).length;
  const lag = readiness.rpoLagMs === null ? 'RPO lag unreadable' : `RPO lag ${readiness.rpoLagMs} ms`;
  return [
    `Readiness of ${target}: ${passed} of ${readiness.checks.length} checks passed; ${lag}.`,
    ...readiness.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`),
  ];
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
