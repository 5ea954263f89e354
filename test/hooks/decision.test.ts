import { describe, expect, it } from 'vitest';
import { abortMeaning, decideHookRun, type HookRunContext, stopsFailover } from '../../src/hooks/decision.js';
import type { HookPlan } from '../../src/plan/hooks.js';

const hook = (overrides: Partial<HookPlan> = {}): HookPlan => ({
  function: 'orders-cache-warmup',
  timeoutSeconds: 20,
  onFailure: 'continue',
  plannedOnly: false,
  ...overrides,
});
const ctx = (overrides: Partial<HookRunContext> = {}): HookRunContext => ({
  mode: 'automatic',
  dryRun: false,
  recovering: false,
  previous: null,
  ...overrides,
});

describe('decideHookRun', () => {
  it.each<[string, HookPlan, HookRunContext, ReturnType<typeof decideHookRun>]>([
    ['runs a hook the first time', hook(), ctx(), { run: true, validateOnly: false }],
    [
      'runs a plannedOnly hook in a planned move',
      hook({ plannedOnly: true }),
      ctx({ mode: 'planned' }),
      { run: true, validateOnly: false },
    ],
    [
      'skips a plannedOnly hook in an automatic failover',
      hook({ plannedOnly: true }),
      ctx(),
      { run: false, keepPrevious: false, why: 'plannedOnly: skipped in an automatic (unplanned) failover' },
    ],
    [
      'skips a plannedOnly hook in a manual failover',
      hook({ plannedOnly: true }),
      ctx({ mode: 'manual' }),
      { run: false, keepPrevious: false, why: 'plannedOnly: skipped in a manual (unplanned) failover' },
    ],
    [
      'only validates the function in a dry run (Invoke DryRun)',
      hook(),
      ctx({ dryRun: true }),
      { run: true, validateOnly: true },
    ],
    [
      'skips a plannedOnly hook in an unplanned dry run, as the real run would',
      hook({ plannedOnly: true }),
      ctx({ dryRun: true }),
      { run: false, keepPrevious: false, why: 'plannedOnly: skipped in an automatic (unplanned) failover' },
    ],
    [
      'keeps the first result when recovery comes back through the point',
      hook({ onFailure: 'abort' }),
      ctx({ recovering: true, previous: { status: 'failed' } }),
      {
        run: false,
        keepPrevious: true,
        why: 'already ran in this execution (failed): a hook is invoked once per execution',
      },
    ],
  ])('%s', (_case, plan, context, expected) => {
    expect(decideHookRun(plan, context)).toEqual(expected);
  });

  it('does not invoke a hook first reached while the execution recovers, and says to do it by hand', () => {
    const verdict = decideHookRun(hook(), ctx({ recovering: true }));

    expect(verdict).toMatchObject({ run: false, keepPrevious: false });
    expect(verdict.run === false && verdict.why).toMatch(
      /^the execution is recovering from a failure: .*invoke the hook by hand/,
    );
  });

  it('runs again a hook that was only skipped before (a skip is not a run)', () => {
    expect(decideHookRun(hook(), ctx({ mode: 'planned', previous: { status: 'skipped' } }))).toEqual({
      run: true,
      validateOnly: false,
    });
  });
});

describe('stopsFailover', () => {
  it.each([
    ['abort', 'failed', true],
    ['abort', 'timed-out', true],
    ['abort', 'ok', false],
    ['abort', 'skipped', false],
    ['continue', 'failed', false],
    ['continue', 'timed-out', false],
  ] as const)('onFailure %s, status %s: %s', (onFailure, status, expected) => {
    expect(stopsFailover(hook({ onFailure }), status)).toBe(expected);
  });

  it('never stops a dry run', () => {
    expect(stopsFailover(hook({ onFailure: 'abort' }), 'failed', true)).toBe(false);
  });

  it('says that nothing changed before fencing, and that recovery rolls forward after the writer moved', () => {
    expect(abortMeaning('beforeFencing')).toMatch(/nothing was changed/);
    for (const point of ['afterPromotion', 'afterScaleUp', 'afterTrafficShift'] as const)
      expect(abortMeaning(point)).toMatch(/cannot be undone.*rolls forward/);
  });
});
