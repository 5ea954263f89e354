import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { LockItem } from '../../src/aws/lock.js';
import {
  type AcquireDecision,
  automaticFailbackReason,
  cooldownEndsAt,
  decideAcquire,
  decideRelease,
  EXECUTION_TIMEOUT_SECONDS,
  epochSeconds,
  lockExpiresAt,
  type ReleaseOutcome,
} from '../../src/decisions/lock.js';
import type { FailoverRequest } from '../../src/steps/request.js';
import { examplePlan } from '../support/plan.js';

const NOW = epochSeconds(new Date('2026-11-22T03:00:00.000Z'));
const ME = 'exec-me';

/** A lock another execution took an hour ago, still held unless told otherwise. */
function lock(overrides: Partial<LockItem> = {}): LockItem {
  return {
    plan: 'orders',
    holder: 'exec-other',
    token: 4,
    mode: 'automatic',
    targetRegion: 'us-west-2',
    acquiredAt: '2026-11-22T02:00:00.000Z',
    expiresAt: NOW + 2400,
    state: 'held',
    cooldownUntil: null,
    ...overrides,
  };
}

const by = (mode: FailoverRequest['mode']) => ({ mode, executionName: ME, requestedBy: `${mode}:alice` });

describe('decideAcquire', () => {
  it.each<{ name: string; mode: FailoverRequest['mode']; lock: LockItem | null; expected: AcquireDecision }>([
    {
      name: 'takes a free lock with token 1',
      mode: 'automatic',
      lock: null,
      expected: { kind: 'take', expectedToken: 1, note: null, previousHolder: null },
    },
    {
      name: 'suppresses a request while another execution holds the lock, naming it',
      mode: 'automatic',
      lock: lock(),
      expected: {
        kind: 'suppress',
        reason:
          'failover exec-other (automatic, to us-west-2) has held the lock since 2026-11-22T02:00:00.000Z',
        holder: 'exec-other',
      },
    },
    {
      name: 'suppresses a manual request too while another execution holds the lock',
      mode: 'manual',
      lock: lock(),
      expected: expect.objectContaining({ kind: 'suppress', holder: 'exec-other' }),
    },
    {
      name: 'keeps the token of a lock this execution already holds (a retried Lambda)',
      mode: 'automatic',
      lock: lock({ holder: ME }),
      expected: { kind: 'already-held', lock: lock({ holder: ME }) },
    },
    {
      name: 'keeps its own lock even past its expiry: nobody took it',
      mode: 'automatic',
      lock: lock({ holder: ME, expiresAt: NOW - 1 }),
      expected: expect.objectContaining({ kind: 'already-held' }),
    },
    {
      name: 'takes over an expired lock with the next token',
      mode: 'automatic',
      lock: lock({ expiresAt: NOW }),
      expected: {
        kind: 'take',
        expectedToken: 5,
        note: 'takes over from failover exec-other (automatic, to us-west-2), whose hold expired at 2026-11-22T03:00:00.000Z without a release',
        previousHolder: 'exec-other',
      },
    },
    {
      name: 'suppresses an automatic request during a cool-down',
      mode: 'automatic',
      lock: lock({ state: 'cooldown', cooldownUntil: NOW + 1800 }),
      expected: {
        kind: 'suppress',
        reason:
          'cool-down after failover exec-other until 2026-11-22T03:30:00.000Z (a manual or planned start may override it)',
        holder: 'exec-other',
      },
    },
    {
      name: 'lets a manual request override a cool-down, and says so',
      mode: 'manual',
      lock: lock({ state: 'cooldown', cooldownUntil: NOW + 1800 }),
      expected: {
        kind: 'take',
        expectedToken: 5,
        note: 'overrides the cool-down after failover exec-other (until 2026-11-22T03:30:00.000Z): manual start by manual:alice',
        previousHolder: 'exec-other',
      },
    },
    {
      name: 'lets a planned request override a cool-down',
      mode: 'planned',
      lock: lock({ state: 'cooldown', cooldownUntil: NOW + 1800 }),
      expected: expect.objectContaining({ kind: 'take', expectedToken: 5 }),
    },
    {
      name: 'takes a lock whose cool-down is over, with no note',
      mode: 'automatic',
      lock: lock({ state: 'cooldown', cooldownUntil: NOW }),
      expected: { kind: 'take', expectedToken: 5, note: null, previousHolder: 'exec-other' },
    },
    {
      name: 'treats its own finished cool-down like anyone else’s',
      mode: 'automatic',
      lock: lock({ holder: ME, state: 'cooldown', cooldownUntil: NOW + 60 }),
      expected: expect.objectContaining({ kind: 'suppress' }),
    },
  ])('$name', ({ mode, lock: current, expected }) => {
    expect(decideAcquire(by(mode), current, NOW)).toEqual(expected);
  });
});

describe('automaticFailbackReason', () => {
  const plan = examplePlan();

  it.each<{ name: string; mode: FailoverRequest['mode']; target: string; refused: boolean }>([
    {
      name: 'refuses an automatic move to the primary region',
      mode: 'automatic',
      target: 'us-east-1',
      refused: true,
    },
    {
      name: 'allows an automatic move to the standby region',
      mode: 'automatic',
      target: 'us-west-2',
      refused: false,
    },
    { name: 'allows a planned failback by a human', mode: 'planned', target: 'us-east-1', refused: false },
    {
      name: 'allows a manual move to the primary region',
      mode: 'manual',
      target: 'us-east-1',
      refused: false,
    },
  ])('$name', ({ mode, target, refused }) => {
    const reason = automaticFailbackReason({ mode, targetRegion: target }, plan);
    if (refused) expect(reason).toMatch(/^no automatic failback: us-east-1 is the plan's primary region/);
    else expect(reason).toBeNull();
  });
});

describe('decideRelease', () => {
  it.each<{ outcome: ReleaseOutcome; acted: boolean | undefined; expected: 'cooldown' | 'delete' }>([
    { outcome: 'succeeded', acted: undefined, expected: 'cooldown' },
    { outcome: 'failed', acted: undefined, expected: 'cooldown' },
    { outcome: 'failed', acted: true, expected: 'cooldown' },
    { outcome: 'failed', acted: false, expected: 'delete' },
    { outcome: 'no-action', acted: undefined, expected: 'delete' },
    { outcome: 'not-approved', acted: undefined, expected: 'delete' },
    { outcome: 'dry-run', acted: undefined, expected: 'delete' },
  ])('$outcome (acted: $acted) leaves $expected', ({ outcome, acted, expected }) => {
    expect(decideRelease(outcome, acted)).toBe(expected);
  });
});

describe('lock times', () => {
  it('knows the state machine’s execution timeout', () => {
    const definition = JSON.parse(readFileSync('statemachines/failover.asl.json', 'utf8'));
    expect(definition.TimeoutSeconds).toBe(EXECUTION_TIMEOUT_SECONDS);
  });

  it('frees a dead holder’s lock only after its execution has surely timed out', () => {
    expect(lockExpiresAt(NOW) - NOW).toBeGreaterThan(EXECUTION_TIMEOUT_SECONDS);
  });

  it('ends the cool-down the plan’s minutes later', () => {
    expect(cooldownEndsAt(NOW, 60)).toBe(NOW + 3600);
  });
});
