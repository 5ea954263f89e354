import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hookFlags, MAX_HOOK_TIMEOUT_SECONDS, parseHookFunction } from '../../src/plan/hooks.js';
import { parsePlan } from '../../src/plan/load.js';

// biome-ignore lint/suspicious/noExplicitAny: raw JSON is mutated freely to build bad plans
type RawPlan = any;
const example = (): RawPlan => JSON.parse(readFileSync('plans/dev.json', 'utf8'));
const USW2_ARN = 'arn:aws:lambda:us-west-2:123456789012:function:orders-notify-partner';

/** The example plan with `hooks` changed by `change`, parsed: the error message, or 'valid'. */
function verdict(change: (hooks: RawPlan) => void): string {
  const raw = example();
  change(raw.hooks);
  try {
    parsePlan(raw, 'plans/dev.json');
    return 'valid';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('plan hooks', () => {
  it("reads the example plan's cache warm-up after promotion, with its defaults", () => {
    const plan = parsePlan(example(), 'plans/dev.json');

    expect(plan.hooks).toEqual({
      afterPromotion: {
        function: 'orders-cache-warmup',
        timeoutSeconds: 20,
        onFailure: 'continue',
        plannedOnly: false,
      },
    });
    expect(hookFlags(plan)).toEqual({
      beforeFencing: false,
      afterPromotion: true,
      afterScaleUp: false,
      afterTrafficShift: false,
      afterReport: false,
    });
  });

  it('fills a 10 s timeout and plannedOnly false when a hook leaves them out', () => {
    const raw = example();
    raw.hooks.beforeFencing = { function: 'orders-pause-queue', onFailure: 'abort' };

    expect(parsePlan(raw, 'x').hooks?.beforeFencing).toEqual({
      function: 'orders-pause-queue',
      timeoutSeconds: 10,
      onFailure: 'abort',
      plannedOnly: false,
    });
  });

  it.each<[string, (hooks: RawPlan) => void, RegExp]>([
    [
      'a typo in a hook field',
      (h) => (h.afterPromotion.onFaliure = 'abort'),
      /hooks\.afterPromotion: Unrecognized key: "onFaliure"/,
    ],
    [
      'a point that does not exist',
      (h) => (h.afterPromotoin = { function: 'x', onFailure: 'continue' }),
      /hooks: Unrecognized key: "afterPromotoin"/,
    ],
    [
      'no onFailure',
      (h) => delete h.afterPromotion.onFailure,
      /hooks\.afterPromotion\.onFailure: Invalid option: expected one of "abort"\|"continue"/,
    ],
    [
      'a function name with a space',
      (h) => (h.afterPromotion.function = 'orders cache warmup'),
      /hooks\.afterPromotion\.function: "orders cache warmup" is not a Lambda function name/,
    ],
    [
      'a function name over 64 characters',
      (h) => (h.afterPromotion.function = 'f'.repeat(65)),
      /hooks\.afterPromotion\.function: "f{65}" is not a Lambda function name/,
    ],
    [
      'an ARN of another service',
      (h) => (h.afterPromotion.function = 'arn:aws:sns:us-west-2:123456789012:orders'),
      /hooks\.afterPromotion\.function: ".*" is not a Lambda function name .* or function ARN/,
    ],
    [
      'an ARN in a region the plan does not have',
      (h) => (h.afterPromotion.function = USW2_ARN.replace('us-west-2', 'eu-west-1')),
      /hooks\.afterPromotion\.function: names region "eu-west-1", which is not one of the plan's regions \(us-east-1, us-west-2\): check the ARN/,
    ],
    [
      'a misspelt region in an ARN',
      (h) => (h.afterPromotion.function = USW2_ARN.replace('us-west-2', 'us-wset-2')),
      /hooks\.afterPromotion\.function: names region "us-wset-2", which is not one of the plan's regions/,
    ],
    [
      'a zero timeout',
      (h) => (h.afterPromotion.timeoutSeconds = 0),
      /hooks\.afterPromotion\.timeoutSeconds: Too small: expected number to be >=1/,
    ],
    [
      'a timeout that does not fit the 60 s step',
      (h) => (h.afterPromotion.timeoutSeconds = MAX_HOOK_TIMEOUT_SECONDS + 1),
      /hooks\.afterPromotion\.timeoutSeconds: must be at most 45: the invoke-hook step runs in a 60 s Lambda/,
    ],
    [
      'a fractional timeout',
      (h) => (h.afterPromotion.timeoutSeconds = 2.5),
      /hooks\.afterPromotion\.timeoutSeconds: Invalid input: expected int/,
    ],
    [
      'an afterReport hook that aborts',
      (h) => (h.afterReport = { function: 'orders-post-report', onFailure: 'abort' }),
      /hooks\.afterReport\.onFailure: must be "continue": an afterReport hook runs once the report is written/,
    ],
    [
      'an abort hook pinned by ARN to one region, for every failover',
      (h) => (h.beforeFencing = { function: USW2_ARN, onFailure: 'abort' }),
      /hooks\.beforeFencing\.onFailure: abort with a function pinned to us-west-2 by its ARN would abort every unplanned failover out of us-west-2/,
    ],
  ])('refuses %s, saying where', (_case, change, message) => {
    expect(verdict(change)).toMatch(message);
  });

  it.each<[string, (hooks: RawPlan) => void]>([
    ['a function ARN in one of the plan regions', (h) => (h.afterPromotion.function = USW2_ARN)],
    ['a name with an alias', (h) => (h.afterPromotion.function = 'orders-cache-warmup:live')],
    ['an ARN with a version', (h) => (h.afterPromotion.function = `${USW2_ARN}:7`)],
    [
      'an abort hook pinned by ARN that runs only in planned moves',
      (h) => (h.beforeFencing = { function: USW2_ARN, onFailure: 'abort', plannedOnly: true }),
    ],
    ['the longest timeout', (h) => (h.afterPromotion.timeoutSeconds = MAX_HOOK_TIMEOUT_SECONDS)],
    ['no hooks at all', (h) => delete h.afterPromotion],
  ])('accepts %s', (_case, change) => {
    expect(verdict(change)).toBe('valid');
  });

  it.each([
    ['orders-cache-warmup', { name: 'orders-cache-warmup', qualifier: null, region: null }],
    ['orders-cache-warmup:$LATEST', { name: 'orders-cache-warmup', qualifier: '$LATEST', region: null }],
    [`${USW2_ARN}:live`, { name: 'orders-notify-partner', qualifier: 'live', region: 'us-west-2' }],
  ])('reads the function %s', (value, expected) => {
    expect(parseHookFunction(value)).toMatchObject(expected);
  });

  it.each([
    '',
    'a:b:c',
    '123456789012:function:orders-cache-warmup',
    'arn:aws:lambda:us-west-2:12:function:x',
  ])('reads %j as no function (partial ARNs too: name the function or give its whole ARN)', (value) => {
    expect(parseHookFunction(value)).toBeNull();
  });
});
