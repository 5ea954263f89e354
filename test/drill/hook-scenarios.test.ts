import { describe, expect, it } from 'vitest';
import { meetsExpectation } from '../../src/drill/expectations.js';
import { checkedDrill } from '../../src/drill/invariants.js';
import type { DrillResult } from '../../src/drill/run-drill.js';
import { type DrillScenario, startInput } from '../../src/drill/scenario-types.js';
import { HOOK_SCENARIOS } from '../../src/drill/scenarios/hooks.js';
import { findScenario } from '../../src/drill/scenarios.js';
import { MUTATING_COMMAND } from '../../src/drill/settled-invariants.js';

/**
 * Hook drills (src/drill/scenarios/hooks.ts): the real state machine and handlers against the
 * simulated Lambda's functions, read from the report, the timeline and what the cloud recorded.
 */

const drill = async (name: string, seed = 1): Promise<DrillResult> => {
  const { result, checks } = await checkedDrill(findScenario(name), seed);
  expect(checks.filter((c) => !c.held)).toEqual([]);
  return result;
};
const events = (r: DrillResult, step: string) => (r.report?.timeline ?? []).filter((e) => e.step === step);
const stepRow = (r: DrillResult, step: string) => r.report?.steps.find((s) => s.step === step);
/** Invocations made by the execution itself (the invariant checker's re-runs come after it ended). */
const invoked = (r: DrillResult, fn: string) =>
  r.cloud
    .lambdaInvocations()
    .filter((i) => i.functionName === fn && i.at <= Date.parse(r.report?.timeline.at(-1)?.at ?? ''));

/** Every point at once, each hook succeeding: a planned move runs them in workflow order. */
const EVERY_POINT: DrillScenario = {
  name: 'hook-every-point',
  summary: 'test only',
  input: (ctx) => startInput(ctx, 'planned'),
  plan: (raw) => {
    const hook = (fn: string) => ({ function: fn, timeoutSeconds: 10, onFailure: 'continue' });
    raw.hooks = {
      beforeFencing: hook('orders-pause-queue'),
      afterPromotion: raw.hooks.afterPromotion,
      afterScaleUp: hook('orders-resume-consumers'),
      afterTrafficShift: hook('orders-notify-partner'),
      afterReport: hook('orders-post-report'),
    };
  },
  cloud: () => ({
    lambdaFunctions: [
      'orders-pause-queue',
      'orders-resume-consumers',
      'orders-notify-partner',
      'orders-post-report',
    ].map((name) => ({
      name,
      behaviour: 'succeed' as const,
      runMs: 300,
      timeoutSeconds: 10,
      returns: { ok: name },
    })),
  }),
};

describe('hook drills', () => {
  it.each(HOOK_SCENARIOS.map((s) => s.name))(
    '%s: meets its expectation, the invariants hold',
    async (name) => {
      const r = await drill(name);

      expect(meetsExpectation(r, findScenario(name).expected)).toBe(true);
    },
  );

  it('hook-warms-cache: invokes the warm-up once, after the promotion and while the scale-up runs, with the timeline so far', async () => {
    const r = await drill('hook-warms-cache');
    const promoted = events(r, 'promote-database').find((e) => e.phase === 'succeeded');
    const hook = stepRow(r, 'hook-after-promotion');
    const scale = stepRow(r, 'scale-target');

    expect(invoked(r, 'orders-cache-warmup')).toHaveLength(1);
    expect(hook).toMatchObject({ outcome: 'succeeded' });
    expect(Date.parse(hook?.startedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(promoted?.at ?? ''));
    // Beside the scale-up, not after it: the warm-up is off the critical path.
    expect(Date.parse(hook?.endedAt ?? '')).toBeLessThan(Date.parse(scale?.endedAt ?? ''));
    const payload = invoked(r, 'orders-cache-warmup')[0]?.payload as {
      point: string;
      timeline: { step: string }[];
    };
    expect(payload.point).toBe('afterPromotion');
    expect(payload.timeline.map((e) => e.step)).toContain('promote-database');
    expect(r.report?.hooks.afterPromotion).toMatchObject({ function: 'orders-cache-warmup', status: 'ok' });
    expect(r.report?.hooks.afterPromotion?.seconds).toBeGreaterThan(4);
  });

  it('hook-fails-continue: the failover succeeds; the report names the failed hook and how to run it by hand', async () => {
    const r = await drill('hook-fails-continue');

    expect(r.report?.outcome).toBe('succeeded');
    expect(r.report?.hooks.afterPromotion?.detail).toBe(
      'RedisConnectionError: connect ETIMEDOUT 10.0.3.17:6379 (Unhandled)',
    );
    expect(
      r.report?.actions.some((a) => a.startsWith('Hook orders-cache-warmup (afterPromotion) failed')),
    ).toBe(true);
  });

  it('hook-hangs: stops waiting at the 20 s timeout; the function is left running, the failover goes on', async () => {
    const r = await drill('hook-hangs');

    expect(r.report?.hooks.afterPromotion).toMatchObject({ status: 'timed-out', seconds: 20 });
    expect(stepRow(r, 'hook-after-promotion')?.seconds).toBe(20);
    expect(invoked(r, 'orders-cache-warmup')[0]?.outcome).toBe('aborted');
    expect(r.report?.outcome).toBe('succeeded');
  });

  it('hook-aborts-before-fencing: nothing is changed at all, the lock is released, and no later hook runs', async () => {
    const r = await drill('hook-aborts-before-fencing');
    const changes = r.cloud.calls.filter(
      (c) =>
        MUTATING_COMMAND.test(c.command) &&
        c.outcome === 'ok' &&
        c.command !== 'Invoke' &&
        !/Item$/.test(c.command),
    );

    expect(r.report?.failure?.error).toBe('HookAborted');
    expect(changes).toEqual([]);
    expect(r.after.services).toEqual(r.before.services);
    expect(r.after.dns).toEqual(r.before.dns);
    expect(invoked(r, 'orders-cache-warmup')).toEqual([]);
    expect(r.report?.lock.state).toBe('released');
    expect(r.report?.actions[1] ?? r.report?.actions[0]).toMatch(
      /stopped the failover before its first change: nothing was changed/,
    );
  });

  it('hook-aborts-after-promotion: traffic follows the writer anyway (never leave it worse), and the end is partial, naming the hook', async () => {
    const r = await drill('hook-aborts-after-promotion');

    expect(r.after.database.writerRegion).toBe('us-west-2');
    expect(r.report?.recovery.kind).toBe('rolled-forward');
    expect(r.report?.verifiedAt).not.toBeNull();
    expect(r.report?.summary).toMatch(
      /hook orders-cache-warmup \(afterPromotion\) failed with onFailure abort after the writer moved/,
    );
    expect(r.error).toMatchObject({ name: 'FailoverIncomplete' });
  });

  it('runs a hook at every point in workflow order; the afterReport hook gets the report and leaves the output alone', async () => {
    const { result: r, checks } = await checkedDrill(EVERY_POINT, 1);
    const order = r.cloud
      .lambdaInvocations()
      .filter((i) => i.at <= Date.parse(r.report?.timeline.at(-1)?.at ?? '') + 60_000)
      .map((i) => (i.payload as { point: string }).point);

    expect(checks.filter((c) => !c.held)).toEqual([]);
    expect(order).toEqual([
      'beforeFencing',
      'afterPromotion',
      'afterScaleUp',
      'afterTrafficShift',
      'afterReport',
    ]);
    const last = r.cloud.lambdaInvocations().find((i) => i.functionName === 'orders-post-report');
    expect(last?.payload).toMatchObject({ point: 'afterReport', report: { outcome: 'succeeded' } });
    expect(r.report?.outcome).toBe('succeeded');
    expect(r.report?.hooks).toMatchObject({
      beforeFencing: { status: 'ok' },
      afterPromotion: { status: 'ok' },
      afterScaleUp: { status: 'ok' },
      afterTrafficShift: { status: 'ok' },
      afterReport: { status: 'pending' },
    });
    // Before fencing means before the first change of all: a planned move's pre-scale comes after it.
    const firstChange = r.cloud.calls.find((c) => MUTATING_COMMAND.test(c.command) && c.outcome === 'ok');
    expect(firstChange?.at).toBeGreaterThan(r.cloud.lambdaInvocations()[0]?.endedAt ?? 0);
  });

  it('hook-missing-in-standby: the scheduled dry run finds the hook missing where it would run: not ready, nothing invoked', async () => {
    const r = await drill('hook-missing-in-standby');

    expect(r.report?.outcome).toBe('dry-run');
    expect(r.report?.readiness.ready).toBe(false);
    expect(r.report?.readiness.problems).toEqual([
      expect.stringMatching(
        /^beforeFencing hook orders-pause-queue cannot be invoked in us-west-2: ResourceNotFoundException: Function not found: .*; a real failover would abort here/,
      ),
    ]);
    // Invoke DryRun only: no function ran.
    expect(r.cloud.lambdaInvocations()).toEqual([]);
    expect(
      r.cloud.calls
        .filter((c) => c.command === 'Invoke' && c.at <= Date.parse(r.report?.timeline.at(-1)?.at ?? ''))
        .map((c) => c.outcome),
    ).toEqual(['ResourceNotFoundException', 'ok']);
  });

  it('invokes the afterReport hook after a failed execution too, with the failed report', async () => {
    const base = findScenario('hook-aborts-before-fencing');
    const scenario: DrillScenario = {
      ...base,
      plan: (raw) => {
        base.plan?.(raw);
        raw.hooks.afterReport = { function: 'orders-post-report', timeoutSeconds: 10, onFailure: 'continue' };
      },
      cloud: (ctx) => {
        const cloud = base.cloud(ctx);
        return {
          ...cloud,
          lambdaFunctions: [
            ...(cloud.lambdaFunctions ?? []),
            { name: 'orders-post-report', behaviour: 'succeed', runMs: 200, timeoutSeconds: 10 },
          ],
        };
      },
    };

    const { result: r, checks } = await checkedDrill(scenario, 1);

    expect(checks.filter((c) => !c.held)).toEqual([]);
    expect(r.report?.outcome).toBe('failed');
    expect(r.error).toMatchObject({ name: 'HookAborted' });
    const posted = r.cloud.lambdaInvocations().filter((i) => i.functionName === 'orders-post-report');
    expect(posted).toHaveLength(1);
    expect(posted[0]?.payload).toMatchObject({ point: 'afterReport', report: { outcome: 'failed' } });
  });

  it('hook-planned-only: skipped with its reason in an unplanned failover, invoked in a planned one', async () => {
    const skipped = await drill('hook-planned-only-skipped');
    const ran = await drill('hook-planned-only-runs');

    expect(invoked(skipped, 'orders-notify-partner')).toEqual([]);
    expect(events(skipped, 'hook-after-traffic-shift')).toMatchObject([
      {
        phase: 'skipped',
        message:
          'hook orders-notify-partner skipped: plannedOnly: skipped in an automatic (unplanned) failover',
      },
    ]);
    expect(invoked(ran, 'orders-notify-partner')).toHaveLength(1);
    const shifted = events(ran, 'shift-traffic').at(-1);
    const hook = events(ran, 'hook-after-traffic-shift').at(0);
    expect(Date.parse(hook?.at ?? '')).toBeGreaterThanOrEqual(Date.parse(shifted?.at ?? ''));
    expect(Date.parse(hook?.at ?? '')).toBeLessThanOrEqual(
      Date.parse(events(ran, 'verify-target')[0]?.at ?? ''),
    );
  });
});
