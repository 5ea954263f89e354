import * as z from 'zod';
import { InputInvalidError } from '../errors.js';
import type { StepDeps } from '../handlers/define-step.js';
import { alarmStateChangeEventSchema, isAlarmEvent } from '../input/alarm-event.js';
import { startRequestV1Schema } from '../input/start-request.js';
import { hookFlags } from '../plan/hooks.js';
import { formatIssues } from '../plan/load.js';
import type { FailoverPlan } from '../plan/schema.js';
import { event } from '../timeline/types.js';
import { type FailoverRequest, failoverRequestSchema } from './request.js';

export const normalizeInput = z.object({
  input: z.unknown(),
  executionName: z.string(),
  executionStartedAt: z.string(),
  /** `$$.Execution.Id`: carried in the request so every event can name and link the execution. */
  executionArn: z.string().startsWith('arn:').optional(),
  /** The region this orchestrator runs in: an alarm-started failover moves the service here. */
  orchestratorRegion: z.string().min(1, { error: 'is unknown (AWS_REGION is not set)' }),
});
export const normalizeOutput = z.object({ request: failoverRequestSchema, timeline: z.array(z.any()) });

function otherRegion(plan: FailoverPlan, region: string): string {
  return region === plan.regions.primary ? plan.regions.standby : plan.regions.primary;
}

function planRegions(plan: FailoverPlan): string[] {
  return [plan.regions.primary, plan.regions.standby];
}

function fromAlarm(raw: unknown, input: z.infer<typeof normalizeInput>, plan: FailoverPlan): FailoverRequest {
  const parsed = alarmStateChangeEventSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InputInvalidError(`alarm event is malformed: ${formatIssues(parsed.error.issues).join('; ')}`);
  }
  const { detail, region } = parsed.data;
  if (!plan.triggers.alarmNames.includes(detail.alarmName)) {
    throw new InputInvalidError(
      `alarm "${detail.alarmName}" is not a trigger of plan ${plan.name} (triggers: ${plan.triggers.alarmNames.join(', ')}); nothing was done`,
    );
  }
  if (detail.state.value !== 'ALARM') {
    throw new InputInvalidError(
      `alarm "${detail.alarmName}" is in state ${detail.state.value}, not ALARM; nothing was done`,
    );
  }
  const changedAt = Date.parse(detail.state.timestamp);
  if (Number.isNaN(changedAt)) {
    throw new InputInvalidError(
      `alarm event detail.state.timestamp "${detail.state.timestamp}" is not a time`,
    );
  }
  const target = input.orchestratorRegion;
  return {
    planName: plan.name,
    mode: 'automatic',
    sourceRegion: otherRegion(plan, target),
    targetRegion: target,
    reason: detail.state.reason || `alarm ${detail.alarmName} in ALARM`,
    requestedBy: `alarm:${detail.alarmName}`,
    detectedAt: new Date(changedAt).toISOString(),
    executionName: input.executionName,
    ...(input.executionArn ? { executionArn: input.executionArn } : {}),
    trigger: { alarmName: detail.alarmName, alarmRegion: region, stateReason: detail.state.reason },
    dryRun: false,
    drain: false,
    hooks: hookFlags(plan),
    approval: {
      policy: plan.approval.automatic === 'proceed' ? 'none' : plan.approval.automatic,
      timeoutSeconds: plan.approval.timeoutSeconds,
    },
  };
}

function fromOperator(
  raw: unknown,
  input: z.infer<typeof normalizeInput>,
  plan: FailoverPlan,
): FailoverRequest {
  const parsed = startRequestV1Schema.safeParse(raw);
  if (!parsed.success) {
    throw new InputInvalidError(
      `start input is invalid (nothing was done): ${formatIssues(parsed.error.issues).join('; ')}`,
    );
  }
  const start = parsed.data;
  if (start.safetyRulesToOverride && start.mode !== 'manual') {
    throw new InputInvalidError(
      `start input is invalid (nothing was done): safetyRulesToOverride: only a manual start may override Route 53 ARC safety rules (this one is ${start.mode})`,
    );
  }
  if (!planRegions(plan).includes(start.targetRegion)) {
    throw new InputInvalidError(
      `start input is invalid (nothing was done): targetRegion: "${start.targetRegion}" is not one of plan ${plan.name}'s regions (${planRegions(plan).join(', ')})`,
    );
  }
  return {
    planName: plan.name,
    mode: start.mode,
    sourceRegion: otherRegion(plan, start.targetRegion),
    targetRegion: start.targetRegion,
    reason: start.reason,
    requestedBy: start.requestedBy,
    detectedAt: new Date(input.executionStartedAt).toISOString(),
    executionName: input.executionName,
    ...(input.executionArn ? { executionArn: input.executionArn } : {}),
    dryRun: start.dryRun === true,
    ...(start.safetyRulesToOverride ? { safetyRulesToOverride: start.safetyRulesToOverride } : {}),
    drain: start.mode === 'planned' && plan.dns.drain !== undefined,
    hooks: hookFlags(plan),
    // An operator's start is already the human decision.
    approval: { policy: 'none', timeoutSeconds: plan.approval.timeoutSeconds },
  };
}

/**
 * Turns whatever started the execution into one FailoverRequest. Touches no AWS resource:
 * a malformed start fails here, before anything else runs.
 */
export async function normalize(input: z.infer<typeof normalizeInput>, deps: StepDeps) {
  const { plan } = deps;
  if (!planRegions(plan).includes(input.orchestratorRegion)) {
    throw new InputInvalidError(
      `this orchestrator runs in ${input.orchestratorRegion}, which is not one of plan ${plan.name}'s regions (${planRegions(plan).join(', ')})`,
    );
  }
  const request = isAlarmEvent(input.input)
    ? fromAlarm(input.input, input, plan)
    : fromOperator(input.input, input, plan);
  const timeline = [
    event(
      deps.now(),
      'normalize-input',
      'succeeded',
      `${request.mode} failover ${request.sourceRegion} -> ${request.targetRegion}`,
      {
        mode: request.mode,
        source: request.sourceRegion,
        target: request.targetRegion,
        requestedBy: request.requestedBy,
        detectedAt: request.detectedAt,
        ...(request.safetyRulesToOverride
          ? { safetyRulesToOverride: request.safetyRulesToOverride.join(' ') }
          : {}),
      },
    ),
  ];
  return { request, timeline };
}
