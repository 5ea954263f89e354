import type * as z from 'zod';
import type { StepDeps } from '../handlers/define-step.js';
import {
  HOOK_RESULT_KEY,
  type InvokeHookOutput,
  invokeHookInput,
  invokeHookOutput,
} from '../hooks/contracts.js';
import { abortMeaning, decideHookRun, HOOK_STEP, type HookStatus, stopsFailover } from '../hooks/decision.js';
import { invokeHook, validateHook } from '../hooks/invoke.js';
import { buildHookPayload } from '../hooks/payload.js';
import { parseHookFunction } from '../plan/hooks.js';
import { collectTimeline } from '../report/collect.js';
import { type FailoverReport, failoverReportSchema } from '../report/types.js';
import { event, type Phase } from '../timeline/types.js';
import { wouldDo } from './dry-run.js';
import { type FailoverRequest, failoverRequestSchema } from './request.js';

export { invokeHookInput };

const PHASE: Record<HookStatus, Phase> = {
  ok: 'succeeded',
  failed: 'failed',
  'timed-out': 'failed',
  skipped: 'skipped',
};

/** The request and timeline a point knows: from the state before the report, from the report after it. */
function contextOf(input: z.infer<typeof invokeHookInput>): {
  request: FailoverRequest | null;
  report: FailoverReport | null;
  timeline: ReturnType<typeof collectTimeline>;
  recovering: boolean;
  previous: InvokeHookOutput | null;
} {
  if (input.point === 'afterReport') {
    const report = failoverReportSchema.safeParse(input.report);
    return {
      request: null,
      report: report.success ? report.data : null,
      timeline: report.success ? report.data.timeline : [],
      recovering: false,
      previous: null,
    };
  }
  const previous = invokeHookOutput.safeParse(input.sofar[HOOK_RESULT_KEY[input.point]]);
  return {
    request: input.request,
    report: null,
    timeline: collectTimeline(input.sofar, input.takeover, input.recovery),
    recovering: input.recovery !== null && input.recovery !== undefined,
    previous: previous.success ? previous.data : null,
  };
}

/** The request an afterReport hook is told about, rebuilt from the report's own fields. */
function requestFromReport(report: FailoverReport): FailoverRequest | null {
  const parsed = failoverRequestSchema.safeParse({
    planName: report.planName,
    mode: report.mode,
    sourceRegion: report.sourceRegion,
    targetRegion: report.targetRegion,
    reason: report.reason,
    requestedBy: report.requestedBy,
    detectedAt: report.detectedAt,
    executionName: report.executionName,
    dryRun: report.dryRun || report.outcome === 'dry-run',
  });
  return parsed.success ? parsed.data : null;
}

/**
 * Invokes the plan's hook at one point of the workflow (src/plan/hooks.ts), once per execution,
 * and records what came of it. Never throws for the hook's own failure: the state machine reads
 * `stopNow` and, for a hook with onFailure abort, sends the execution down its failure path
 * (HookAborted), where what is already done is rolled back or forward (src/recovery/decide.ts).
 */
export async function runHook(
  input: z.infer<typeof invokeHookInput>,
  deps: StepDeps,
): Promise<InvokeHookOutput> {
  const { point } = input;
  const step = HOOK_STEP[point];
  const hook = deps.plan.hooks?.[point];
  const ctx = contextOf(input);
  const request = ctx.request ?? (ctx.report ? requestFromReport(ctx.report) : null);
  const startedAt = deps.now();
  const skipped = (why: string): InvokeHookOutput => ({
    point,
    function: hook?.function ?? null,
    onFailure: hook?.onFailure ?? null,
    status: 'skipped',
    detail: why,
    durationMs: 0,
    stopNow: false,
    cause: null,
    timeline: [event(startedAt, step, 'skipped', `hook ${hook?.function ?? '(none)'} skipped: ${why}`)],
  });
  if (!hook) return skipped(`the plan names no ${point} hook (it was removed since this execution started)`);
  if (!request) return skipped('the execution state has no request to tell the hook about');

  const verdict = decideHookRun(hook, {
    mode: request.mode,
    dryRun: request.dryRun === true,
    recovering: ctx.recovering,
    previous: ctx.previous,
  });
  if (!verdict.run) {
    if (verdict.keepPrevious && ctx.previous) return { ...ctx.previous, stopNow: false };
    return skipped(verdict.why);
  }

  const ref = parseHookFunction(hook.function);
  const region = ref?.region ?? process.env.AWS_REGION ?? request.targetRegion;
  if (verdict.validateOnly) {
    const checked = await validateHook(
      deps.clients.lambda(region),
      hook.function,
      hook.timeoutSeconds * 1000,
    );
    const at = deps.now();
    const facts = { function: hook.function, region, onFailure: hook.onFailure };
    if (checked.status === 'ok') {
      const would = `would invoke hook ${hook.function} in ${region}: it ${checked.detail}`;
      return {
        ...skipped(`dry run: ${would}`),
        timeline: [wouldDo(at, step, would, facts)],
      };
    }
    const cannot = `dry run: hook ${hook.function} cannot be invoked in ${region}: ${checked.detail}; a real failover ${
      hook.onFailure === 'abort' ? `would abort here (${abortMeaning(point)})` : 'would go on without it'
    }`;
    return {
      ...skipped(cannot),
      status: checked.status,
      timeline: [event(at, step, 'failed', cannot, { ...facts, status: checked.status })],
    };
  }
  const payload = buildHookPayload(point, request, ctx.timeline, ctx.report ?? undefined);
  const started = event(startedAt, step, 'started', `invoking hook ${hook.function} in ${region}`, {
    function: hook.function,
    region,
    timeoutSeconds: hook.timeoutSeconds,
    onFailure: hook.onFailure,
  });
  const result = await invokeHook(
    deps.clients.lambda(region),
    hook.function,
    payload,
    hook.timeoutSeconds * 1000,
  );
  const endedAt = deps.now();
  const durationMs = Math.max(0, endedAt.getTime() - startedAt.getTime());
  const stopNow = stopsFailover(hook, result.status);
  const outcome =
    result.status === 'ok'
      ? `hook ${hook.function} succeeded: ${result.detail}`
      : `hook ${hook.function} ${result.status === 'timed-out' ? 'timed out' : 'failed'}: ${result.detail}; onFailure ${hook.onFailure}: ${
          stopNow ? abortMeaning(point) : 'the failover goes on'
        }`;
  return {
    point,
    function: hook.function,
    onFailure: hook.onFailure,
    status: result.status,
    detail: result.detail,
    durationMs,
    stopNow,
    // Not prefixed with the step's name as step errors are (src/handlers/define-step.ts): the
    // hook's own timeline event already ends its row as failed.
    cause: stopNow ? `${point} ${outcome}` : null,
    timeline: [
      started,
      event(endedAt, step, PHASE[result.status], outcome, {
        function: hook.function,
        status: result.status,
        durationMs,
        onFailure: hook.onFailure,
      }),
    ],
  };
}
