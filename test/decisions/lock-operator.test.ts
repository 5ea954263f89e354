import { describe, expect, it } from 'vitest';
import type { LockItem } from '../../src/aws/lock.js';
import {
  decideStopRelease,
  decideUnlock,
  HOLDER_STATUSES,
  type HolderStatus,
  unlockCommand,
} from '../../src/decisions/lock-operator.js';

const STOPPED = 'manual-20261122T030000Z';

function lock(overrides: Partial<LockItem> = {}): LockItem {
  return {
    plan: 'orders',
    holder: STOPPED,
    token: 3,
    mode: 'manual',
    targetRegion: 'us-west-2',
    acquiredAt: '2026-11-22T03:00:01.000Z',
    expiresAt: 1_795_338_000,
    state: 'held',
    cooldownUntil: null,
    ...overrides,
  };
}

describe('decideStopRelease', () => {
  it.each([
    ['no item', null, 'free'],
    ['held by the stopped execution', lock(), 'remove'],
    ['held by the stopped execution past its expiry', lock({ expiresAt: 0 }), 'remove'],
    ['held by another execution', lock({ holder: 'automatic-20261122T030100Z', token: 4 }), 'held-by-other'],
    ['in the cool-down the stopped execution set', lock({ state: 'cooldown', cooldownUntil: 1 }), 'cooldown'],
    [
      "in another execution's cool-down",
      lock({ holder: 'planned-20261121T120000Z', state: 'cooldown', cooldownUntil: 1 }),
      'cooldown',
    ],
  ] as const)('%s: %s', (_, found, kind) => {
    // Act & Assess
    expect(decideStopRelease(found, STOPPED).kind).toBe(kind);
  });
});

describe('decideUnlock', () => {
  const removable: HolderStatus[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];

  it.each(removable)('removes a held lock whose holder is %s', (status) => {
    // Act & Assess
    expect(decideUnlock(lock(), status)).toEqual({ kind: 'remove', lock: lock() });
  });

  it('keeps a young lock whose holder the state machine does not know (likely the wrong one), unless forced', () => {
    const now = lock().expiresAt - 600;
    expect(decideUnlock(lock(), 'not-found', { nowSeconds: now })).toEqual({
      kind: 'holder-unknown',
      lock: lock(),
    });
    expect(decideUnlock(lock(), 'not-found', { nowSeconds: now, force: true })).toEqual({
      kind: 'remove',
      lock: lock(),
    });
    expect(decideUnlock(lock(), 'not-found', { nowSeconds: lock().expiresAt })).toEqual({
      kind: 'remove',
      lock: lock(),
    });
  });

  it.each(['RUNNING', 'PENDING_REDRIVE'] as const)('refuses while the holder is %s', (status) => {
    // Act & Assess
    expect(decideUnlock(lock(), status)).toEqual({ kind: 'holder-running', lock: lock(), status });
  });

  it('covers every status Step Functions reports', () => {
    // Assess: a status added to the list must be placed on one side or the other
    expect([...removable, 'RUNNING', 'PENDING_REDRIVE', 'not-found'].sort()).toEqual(
      [...HOLDER_STATUSES].sort(),
    );
  });

  it.each(HOLDER_STATUSES)('says free when there is no item (holder %s)', (status) => {
    // Act & Assess
    expect(decideUnlock(null, status)).toEqual({ kind: 'free' });
  });

  it('leaves a cool-down alone whatever its holder did', () => {
    // Act & Assess
    expect(decideUnlock(lock({ state: 'cooldown', cooldownUntil: 1 }), 'SUCCEEDED').kind).toBe('cooldown');
  });
});

describe('unlockCommand', () => {
  it.each([
    ['failover-locks-prod', 'failover unlock --plan orders --region us-west-2 --stage prod'],
    ['failover-locks', 'failover unlock --plan orders --region us-west-2 --lock-table failover-locks'],
    ['team-locks', 'failover unlock --plan orders --region us-west-2 --lock-table team-locks'],
  ])('names the stage or the table %s', (name, command) => {
    // Act & Assess
    expect(unlockCommand('orders', { region: 'us-west-2', name })).toBe(command);
  });
});
